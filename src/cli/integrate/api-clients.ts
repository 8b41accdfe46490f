import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { AppflowClient } from "@aws-sdk/client-appflow";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { env } from "../env.ts";

/** Where the API is and who we are: flags, then AWS_* / PROFILEFLOW_* variables, then `<data>/credentials`. */
export interface ApiFlags {
  endpoint?: string;
  region?: string;
  data?: string;
}

/** SDK clients plus a signed fetch for the extension operations the SDK does not model. */
export interface ApiClients {
  endpoint: string;
  /** The region requests are signed for. */
  region: string;
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  /** IAM (the workflow's role). */
  iam: IAMClient;
  /** POST a JSON body to an extension path, signed for `service`; returns the parsed answer or throws its Message. */
  extension(service: "profile" | "appflow", path: string, body: unknown): Promise<Record<string, unknown>>;
  /** GET an extension path with query members, signed for `service`; the parsed answer or throws its Message. */
  extensionGet(
    service: "profile" | "appflow",
    path: string,
    query: Record<string, string>,
  ): Promise<Record<string, unknown>>;
  close(): void;
}

/** Opens the clients for a CLI command. */
export function apiClients(flags: ApiFlags): ApiClients {
  const e = env();
  const endpoint = flags.endpoint ?? e["PROFILEFLOW_ENDPOINT"] ?? "http://127.0.0.1:4590";
  const region = flags.region ?? e["AWS_REGION"] ?? "us-east-1";
  const credentials = resolveCredentials(flags.data ?? e["PROFILEFLOW_DATA_DIR"] ?? ".profileflow");
  const cfg = { endpoint, region, credentials, maxAttempts: 3 };
  const profiles = new CustomerProfilesClient(cfg);
  const appflow = new AppflowClient(cfg);
  const iam = new IAMClient(cfg);
  /** One signed request to an extension operation; its JSON answer, or its Message thrown. */
  const signedCall = async (r: {
    service: string;
    method: "GET" | "POST";
    path: string;
    query: Record<string, string>;
    body: string | undefined;
  }): Promise<Record<string, unknown>> => {
    const url = new URL(endpoint);
    const signer = new SignatureV4({
      credentials,
      region,
      service: r.service,
      sha256: Sha256,
      uriEscapePath: true,
    });
    const headers: Record<string, string> = { host: url.host };
    if (r.body !== undefined) headers["content-type"] = "application/json";
    const req = new HttpRequest({
      method: r.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: r.path,
      query: r.query,
      headers,
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    const signed = await signer.sign(req);
    // RFC 3986 encoding, as SigV4's canonical query string has it.
    const enc = (v: string) =>
      encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const qs = Object.entries(r.query)
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .join("&");
    const res = await fetch(`${endpoint}${r.path}${qs ? `?${qs}` : ""}`, {
      method: r.method,
      headers: signed.headers as Record<string, string>,
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(String(json["Message"] ?? json["message"] ?? `HTTP ${res.status}`));
    return json;
  };
  return {
    endpoint,
    region,
    profiles,
    appflow,
    iam,
    async extension(service, path, body) {
      return signedCall({ service, method: "POST", path, query: {}, body: JSON.stringify(body) });
    },
    async extensionGet(service, path, query) {
      return signedCall({ service, method: "GET", path, query, body: undefined });
    },
    close() {
      profiles.destroy();
      appflow.destroy();
      iam.destroy();
    },
  };
}

function resolveCredentials(dataDir: string): { accessKeyId: string; secretAccessKey: string } {
  const e = env();
  const id = e["AWS_ACCESS_KEY_ID"] ?? e["PROFILEFLOW_ACCESS_KEY_ID"];
  const secret = e["AWS_SECRET_ACCESS_KEY"] ?? e["PROFILEFLOW_SECRET_ACCESS_KEY"];
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret };
  try {
    const text = readFileSync(join(dataDir, "credentials"), "utf8");
    const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S+)`, "m").exec(text)?.[1];
    const accessKeyId = get("aws_access_key_id");
    const secretAccessKey = get("aws_secret_access_key");
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
  } catch {
    // fall through to the hint
  }
  throw new Error(
    `No credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or point --data at the server's data directory (${dataDir}/credentials).`,
  );
}
