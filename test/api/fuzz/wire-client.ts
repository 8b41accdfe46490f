import http from "node:http";
import { connect } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export type WireResponse =
  | { kind: "response"; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
  | { kind: "no-response"; error: string };

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignOptions {
  service: string;
  region?: string;
  credentials: Credentials;
  signingDate?: Date;
  /** Headers left out of SignedHeaders (e.g. host, to make a signature that does not cover it). */
  unsigned?: string[];
}

/** Sends raw requests to one served instance over keep-alive loopback connections (nothing normalizes them). */
export class WireClient {
  readonly #url: URL;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(endpoint: string) {
    this.#url = new URL(endpoint);
  }

  get host(): string {
    return this.#url.host;
  }

  /**
   * SigV4 headers for a request, signed as the AWS SDK signs (`@smithy/signature-v4`, path escaped again over
   * its raw encoding). `headers` are signed too; the result holds them plus host, x-amz-date, the body hash
   * and authorization.
   */
  async sign(
    method: string,
    pathAndQuery: string,
    headers: [string, string][],
    body: Buffer,
    o: SignOptions,
  ): Promise<[string, string][]> {
    const [path, qs = ""] = splitQuery(pathAndQuery);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    const signer = new SignatureV4({
      credentials: o.credentials,
      region: o.region ?? "us-east-1",
      service: o.service,
      sha256: Sha256,
      uriEscapePath: true,
    });
    const request = new HttpRequest({
      method,
      protocol: "http:",
      hostname: this.#url.hostname,
      port: Number(this.#url.port),
      path,
      query,
      headers: { host: this.#url.host, ...Object.fromEntries(headers) },
      body,
    });
    const signed = await signer.sign(request, {
      ...(o.signingDate ? { signingDate: o.signingDate } : {}),
      ...(o.unsigned ? { unsignableHeaders: new Set(o.unsigned) } : {}),
    });
    return Object.entries(signed.headers as Record<string, string>);
  }

  /** Sends one request; headers may repeat. Never throws: a connection failure is a `no-response`. */
  send(
    method: string,
    pathAndQuery: string,
    headers: [string, string][],
    body: Buffer,
  ): Promise<WireResponse> {
    return new Promise((resolve) => {
      const flat: string[] = [];
      let hasHost = false;
      for (const [k, v] of headers) {
        flat.push(k, v);
        if (k.toLowerCase() === "host") hasHost = true;
      }
      if (!hasHost) flat.push("host", this.#url.host);
      if (body.length > 0 || method === "POST" || method === "PUT")
        flat.push("content-length", String(body.length));
      let req: http.ClientRequest;
      try {
        req = http.request({
          host: this.#url.hostname,
          port: Number(this.#url.port),
          method,
          path: pathAndQuery,
          headers: flat,
          agent: this.#agent,
          timeout: 20_000,
        });
      } catch (e) {
        // Node refuses to send it (e.g. characters a client must not put in a path): nothing reached the server.
        resolve({ kind: "no-response", error: `client refused: ${(e as Error).message}` });
        return;
      }
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            kind: "response",
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", (e) => resolve({ kind: "no-response", error: `response aborted: ${e.message}` }));
      });
      req.on("timeout", () => req.destroy(new Error("timed out after 20 s")));
      req.on("error", (e) => resolve({ kind: "no-response", error: e.message }));
      if (flat.some((v, i) => i % 2 === 0 && v.toLowerCase() === "expect")) {
        // `Expect: 100-continue`: the body goes only once the server invites it (a refusal comes instead).
        req.on("continue", () => req.end(body));
        req.flushHeaders();
      } else {
        req.end(body);
      }
    });
  }

  /** Writes bytes on a fresh connection and reads until the server answers one response or closes. */
  raw(bytes: Buffer): Promise<WireResponse> {
    return new Promise((resolve) => {
      const socket = connect(Number(this.#url.port), this.#url.hostname);
      const chunks: Buffer[] = [];
      const done = () => {
        socket.destroy();
        const all = Buffer.concat(chunks);
        const parsed = parseResponse(all);
        resolve(parsed ?? { kind: "no-response", error: `closed after ${all.length} bytes` });
      };
      socket.setTimeout(10_000, () => {
        const parsed = parseResponse(Buffer.concat(chunks));
        socket.destroy();
        resolve(parsed ?? { kind: "no-response", error: "no answer within 10 s" });
      });
      socket.on("data", (c: Buffer) => {
        chunks.push(c);
        const parsed = parseResponse(Buffer.concat(chunks));
        if (parsed) {
          socket.destroy();
          resolve(parsed);
        }
      });
      socket.on("end", done);
      socket.on("error", done);
      socket.write(bytes);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function splitQuery(pathAndQuery: string): [string, string?] {
  const i = pathAndQuery.indexOf("?");
  return i < 0 ? [pathAndQuery] : [pathAndQuery.slice(0, i), pathAndQuery.slice(i + 1)];
}

/** One complete HTTP/1.1 response with a Content-Length body, or undefined while incomplete. */
function parseResponse(buf: Buffer): WireResponse | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  const body = buf.subarray(end + 4);
  if (body.length < length) return undefined;
  return { kind: "response", status, headers, body: body.subarray(0, length) };
}
