import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { REGION, type Session } from "./session.ts";

/**
 * profileflow's extension operations (docs/api.md "Extension operations"), which the AWS SDK does not
 * model: signed with SigV4 exactly as the SDK signs, with the session's temporary credentials, sent to
 * the page's own origin. A refusal throws an Error named like the SDK's (`ResourceNotFoundException`)
 * with the API's own message, so apiMessage() shows it as it shows the SDK's errors.
 */
export async function extensionCall(
  session: Session,
  r: { method: "GET" | "POST"; path: string; query?: Record<string, string | undefined>; body?: unknown },
): Promise<Record<string, unknown>> {
  const url = new URL(window.location.origin);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined && v !== "") query[k] = v;
  const body = r.body === undefined ? undefined : JSON.stringify(r.body);
  const headers: Record<string, string> = { host: url.host };
  if (body !== undefined) headers["content-type"] = "application/json";
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    },
    region: REGION,
    service: "profile",
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: r.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: r.path,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    }),
  );
  const sent: Record<string, string> = {};
  // The browser sets Host itself (and refuses to be told).
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== "host") sent[k] = String(v);
  const qs = Object.entries(query)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join("&");
  const res = await fetch(`${r.path}${qs ? `?${qs}` : ""}`, {
    method: r.method,
    headers: sent,
    ...(body !== undefined ? { body } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(res.headers.get("x-amzn-errortype") ?? json["__type"] ?? `HTTP ${res.status}`);
    const e = new Error(String(json["Message"] ?? json["message"] ?? `status ${res.status}`));
    e.name = type.split(":")[0]!.split("#").at(-1)!;
    throw e;
  }
  return json;
}

/** RFC 3986 encoding, as SigV4's canonical query string has it. */
function rfc3986(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A dead-lettered record (ListDeadLetters). */
export interface DeadLetterItem {
  Id: string;
  ObjectTypeName: string;
  ProfileObjectUniqueKey?: string;
  Object: string;
  ReasonCode: string;
  Message: string;
  /** Epoch seconds. */
  CreatedAt: number;
}

/** Up to `max` dead letters of a domain, newest first, optionally of one object type (all pages). */
export async function listDeadLetters(
  session: Session,
  domain: string,
  objectTypeName: string | undefined,
  max = 500,
): Promise<DeadLetterItem[]> {
  const out: DeadLetterItem[] = [];
  let token: string | undefined;
  do {
    const page = await extensionCall(session, {
      method: "GET",
      path: `/domains/${encodeURIComponent(domain)}/dead-letters`,
      query: { "object-type-name": objectTypeName, "next-token": token, "max-results": "100" },
    });
    out.push(...((page["Items"] as DeadLetterItem[] | undefined) ?? []));
    token = page["NextToken"] as string | undefined;
  } while (token && out.length < max);
  return out;
}

/** A stored object with its profile and the profile fields it feeds (ListDomainObjects). */
export interface DomainObjectItem {
  ObjectTypeName: string;
  ProfileObjectUniqueKey: string;
  ProfileId: string;
  Fields: Record<string, string>;
  /** Epoch seconds. */
  UpdatedAt: number;
}

/** Up to `max` of a domain's objects, newest first, of one object type and/or one profile. */
export async function listDomainObjects(
  session: Session,
  domain: string,
  filter: { objectTypeName?: string; profileId?: string },
  max = 100,
): Promise<{ items: DomainObjectItem[]; more: boolean }> {
  const items: DomainObjectItem[] = [];
  let token: string | undefined;
  do {
    const page = await extensionCall(session, {
      method: "GET",
      path: `/domains/${encodeURIComponent(domain)}/objects`,
      query: {
        "object-type-name": filter.objectTypeName,
        "profile-id": filter.profileId,
        "next-token": token,
        "max-results": String(Math.min(100, max - items.length)),
      },
    });
    items.push(...((page["Items"] as DomainObjectItem[] | undefined) ?? []));
    token = page["NextToken"] as string | undefined;
  } while (token && items.length < max);
  return { items, more: token !== undefined };
}

/** ExplainProfile: the merges that built a profile and how each object joined it. */
export interface Explanation {
  Objects: {
    ObjectTypeName: string;
    ProfileObjectUniqueKey: string;
    OriginalProfileId: string;
    MatchedBy?: { KeyName: string; Value: string };
  }[];
  Merges: {
    MergeId: string;
    MainProfileId: string;
    MergedProfileIds: string[];
    Cause: unknown;
    PerformedBy: string;
    CreatedAt: number;
  }[];
}

export async function explainProfile(
  session: Session,
  domain: string,
  profileId: string,
): Promise<Explanation> {
  const out = await extensionCall(session, {
    method: "POST",
    path: `/domains/${encodeURIComponent(domain)}/profiles/explain`,
    body: { ProfileId: profileId },
  });
  return out as unknown as Explanation;
}
