import type { IncomingHttpHeaders } from "node:http";

/** A parsed request as vendor handlers see it (body already read). */
export interface SandboxRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Sandbox time when the request arrived. */
  now: number;
}

/** A vendor handler's answer; a non-string, non-Buffer body is sent as JSON. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A vendor's request handler. */
export type Handler = (req: SandboxRequest) => Reply | Promise<Reply>;

/** A JSON reply. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
    body: JSON.stringify(body),
  };
}

/** The body parsed as JSON, or undefined when empty/invalid. */
export function bodyJson(req: SandboxRequest): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The body parsed as application/x-www-form-urlencoded. */
export function bodyForm(req: SandboxRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString("utf8"));
}
