import { ConnectorError, type ConnectorErrorClass } from "./connector-error.ts";
import { sanitizeVendorCode, sanitizeVendorText } from "./vendor-text.ts";

/** One row of a connector's error table: match on status and/or a body substring, give a class. */
export interface ErrorRule {
  readonly status?: number | readonly number[];
  /** Case-sensitive substring of the response body. */
  readonly bodyIncludes?: string;
  readonly class: ConnectorErrorClass;
  /** The precise reason shown to the user; the vendor's message is appended. */
  readonly reason?: string;
}

/** What the classifier sees of an HTTP answer. */
export interface ResponseFacts {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly url: string;
}

/** A connector hook that classifies a response itself (e.g. Marketo's 200 + success:false); undefined = use the table. */
export type ClassifyHook = (res: ResponseFacts) => ConnectorError | undefined;

/** Applied after a connector's own rules: the HTTP meaning of each status. */
const defaultErrorRules: readonly ErrorRule[] = [
  { status: 401, class: "auth", reason: "the source rejected the credentials" },
  { status: 403, class: "config", reason: "the user lacks permission" },
  { status: 404, class: "config", reason: "not found" },
  { status: [408, 425], class: "transient", reason: "request timed out at the source" },
  { status: 429, class: "rate_limited", reason: "rate limited by the source" },
  { status: [500, 502, 503, 504], class: "transient", reason: "the source failed" },
];

function matches(rule: ErrorRule, res: ResponseFacts): boolean {
  if (rule.status !== undefined) {
    const list = typeof rule.status === "number" ? [rule.status] : rule.status;
    if (!list.includes(res.status)) return false;
  }
  if (rule.bodyIncludes !== undefined && !res.text.includes(rule.bodyIncludes)) return false;
  return true;
}

const codeKeys = /^(errorCode|error_code|error|code)$/i;
const messageKeys = /^(message|error_description|description|detail|title|error)$/i;

/**
 * A short, sanitized reason from a vendor's JSON error body: its error code and a known message
 * field (`errorCode`, `error`, `message`, `error_description`, `detail`, ...), control characters and
 * markup stripped, at most 160 characters. A body that is not JSON (an HTML error page, an internal
 * page's text) gives nothing: our errors reach API callers, so they never quote a vendor page.
 */
export function vendorMessage(text: string): string {
  const t = text.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return "";
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch {
    return ""; // cut at the error-body cap, or not JSON after all
  }
  let code: string | undefined;
  let message: string | undefined;
  const walk = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== "object" || (code && message)) return;
    const entries = Array.isArray(v) ? v.slice(0, 3).map((x) => ["", x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      if (typeof x === "object") {
        walk(x, depth + 1);
        continue;
      }
      const asCode = codeKeys.test(k) ? sanitizeVendorCode(x) : undefined;
      if (asCode !== undefined) code ??= asCode;
      else if (message === undefined && messageKeys.test(k) && typeof x === "string")
        message = sanitizeVendorText(x) || undefined;
    }
  };
  walk(j, 0);
  const parts = [code, message].filter((p): p is string => p !== undefined && p !== "");
  return sanitizeVendorText(parts.join(": "));
}

/** Classifies a non-success response with the connector's rules, then the defaults; unknown → bug. */
export function classifyResponse(res: ResponseFacts, rules: readonly ErrorRule[]): ConnectorError {
  const rule = rules.find((r) => matches(r, res)) ?? defaultErrorRules.find((r) => matches(r, res));
  const vendor = vendorMessage(res.text);
  let cls: ConnectorErrorClass;
  let reason: string;
  if (rule) {
    cls = rule.class;
    reason = rule.reason ?? `HTTP ${res.status}`;
  } else if (res.status >= 500) {
    cls = "transient";
    reason = "the source failed";
  } else if (res.status >= 400) {
    cls = "config";
    reason = "the source refused the request";
  } else {
    cls = "bug";
    reason = "unexpected response";
  }
  const message = `${reason} (HTTP ${res.status}${vendor ? `: ${vendor}` : ""})`;
  return new ConnectorError(cls, message, { status: res.status });
}

const transientCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_ABORTED",
]);

/** Classifies a failure below HTTP (socket, DNS, timeout, truncated body). */
export function classifyNetworkError(e: unknown, url: string): ConnectorError {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? "";
  const host = safeHost(url);
  if (code === "ENOTFOUND") {
    return new ConnectorError("config", `instance not found: no DNS record for ${host}`, {
      cause: e,
      vendorCode: code,
    });
  }
  if (code === "ERR_INVALID_URL") {
    return new ConnectorError("config", `invalid instance URL: ${url}`, { cause: e });
  }
  if (transientCodes.has(code) || /socket|terminated|closed|reset|timeout/i.test(err.message ?? "")) {
    return new ConnectorError("transient", `network failure talking to ${host}: ${code || err.message}`, {
      cause: e,
      vendorCode: code,
    });
  }
  return new ConnectorError("bug", `unexpected failure talking to ${host}: ${err.message ?? String(e)}`, {
    cause: e,
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
