import { type ErrorCode, isProfileflowError, ProfileflowError } from "../core/errors.ts";
import type { ErrorReply } from "./error-envelope.ts";

/**
 * AWS's query protocol (IAM, STS): a form-encoded POST body `Action=…&Version=…&Member=…`, answered
 * with `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata><RequestId>` XML, and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
export type QueryService = "iam" | "sts";

export const NAMESPACES: Record<QueryService, string> = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
};

/** Whether a signing service speaks the query protocol. */
export function isQueryService(service: string): service is QueryService {
  return service === "iam" || service === "sts";
}

/** The members of a form-encoded body (and of the query string, as AWS accepts both). */
export function parseForm(raw: Buffer, url: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const q = url.indexOf("?");
  for (const source of [q === -1 ? "" : url.slice(q + 1), raw.toString("utf8")]) {
    for (const [k, v] of new URLSearchParams(source)) {
      if (k.includes("\u0000") || v.includes("\u0000")) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          `The member ${k.replace(/\u0000/g, "")} must not contain U+0000.`,
        );
      }
      out[k] = v;
    }
  }
  return out;
}

/** An XML value: text, a nested element list, or a list whose items are `<member>`s. */
export type XmlValue = string | number | boolean | Date | XmlObject | XmlValue[] | undefined;
export interface XmlObject {
  [element: string]: XmlValue;
}

/** The whole response document of `action`, with its result (or none) and the request id. */
export function queryResponse(
  service: QueryService,
  action: string,
  requestId: string,
  result?: XmlObject,
): string {
  const body = result === undefined ? "" : `<${action}Result>${render(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NAMESPACES[service]}">${body}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function render(o: XmlObject): string {
  let out = "";
  for (const [name, value] of Object.entries(o)) {
    if (value === undefined) continue;
    out += `<${name}>${renderValue(value)}</${name}>`;
  }
  return out;
}

function renderValue(v: Exclude<XmlValue, undefined>): string {
  if (Array.isArray(v)) {
    return v
      .filter((m) => m !== undefined)
      .map((m) => `<member>${renderValue(m as Exclude<XmlValue, undefined>)}</member>`)
      .join("");
  }
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (typeof v === "object") return render(v);
  return escapeXml(String(v));
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The error document AWS's query services answer with. */
export function queryErrorXml(service: QueryService, reply: ErrorReply, requestId: string): string {
  const { Type, Code, Message } = reply.body as { Type: string; Code: string; Message: string };
  return (
    `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>${Type}</Type><Code>${escapeXml(Code)}</Code>` +
    `<Message>${escapeXml(Message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

/** IAM's and STS's error codes and statuses for the registry's codes and kinds. */
const byCode: Partial<Record<ErrorCode, [number, string]>> = {
  MISSING_AUTHENTICATION_TOKEN: [403, "MissingAuthenticationToken"],
  UNRECOGNIZED_CLIENT: [403, "InvalidClientTokenId"],
  INVALID_SIGNATURE: [403, "SignatureDoesNotMatch"],
  EXPIRED_TOKEN: [403, "ExpiredToken"],
  MALFORMED_POLICY_DOCUMENT: [400, "MalformedPolicyDocument"],
  ACCESS_DENIED: [403, "AccessDenied"],
  ALREADY_EXISTS: [409, "EntityAlreadyExists"],
  CONFLICT: [409, "DeleteConflict"],
  QUOTA_EXCEEDED: [409, "LimitExceeded"],
  RESOURCE_NOT_FOUND: [404, "NoSuchEntity"],
  UNKNOWN_OPERATION: [400, "InvalidAction"],
  THROTTLED: [400, "Throttling"],
  BODY_TOO_LARGE: [413, "ValidationError"],
  URI_TOO_LONG: [414, "ValidationError"],
  HEADERS_TOO_LARGE: [431, "ValidationError"],
  REQUEST_TIMEOUT: [408, "RequestTimeout"],
};

/** Maps any thrown value to the IAM / STS error (status, code, and Type Sender or Receiver). */
export function queryErrorReply(service: QueryService, error: unknown): ErrorReply {
  const e = isProfileflowError(error) ? error : undefined;
  const [status, code] =
    (e && byCode[e.code]) ??
    (e?.kind === "internal" || !e
      ? [500, service === "iam" ? "ServiceFailure" : "InternalFailure"]
      : [400, "ValidationError"]);
  const message = e ? e.message : "An internal error occurred.";
  return {
    status,
    type: code,
    body: { Type: status >= 500 ? "Receiver" : "Sender", Code: code, Message: message },
  };
}
