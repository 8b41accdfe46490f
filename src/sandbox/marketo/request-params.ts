/**
 * Marketo reads parameters from the query string, and for `POST ...?_method=GET` (the workaround for
 * URIs over 8 KB) from a form-encoded body too.
 */
import type { SandboxRequest } from "../core/index.ts";
import { bodyForm } from "../core/index.ts";

/** The longest request URI Marketo accepts before answering HTTP 414. */
export const maxUriBytes = 8 * 1024;

/** Query parameters merged with a form body when the request is a POST tunnelling a GET. */
export function requestParams(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of req.url.searchParams) out[k] = v;
  const type = String(req.headers["content-type"] ?? "");
  if (req.method === "POST" && type.includes("application/x-www-form-urlencoded")) {
    for (const [k, v] of bodyForm(req)) out[k] = v;
  }
  return out;
}

/** The method a Marketo route sees: POST with `_method=GET` counts as GET. */
export function effectiveMethod(req: SandboxRequest): string {
  return req.method === "POST" && req.url.searchParams.get("_method") === "GET" ? "GET" : req.method;
}

/** The bearer token from `Authorization` or the deprecated `access_token` parameter. */
export function bearerToken(req: SandboxRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === "string" && /^bearer\s+/i.test(auth))
    return auth.replace(/^bearer\s+/i, "").trim() || undefined;
  return req.url.searchParams.get("access_token") ?? undefined;
}
