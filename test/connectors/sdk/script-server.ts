import type { IncomingMessage, ServerResponse } from "node:http";
import { type LocalHttpServer, listenLocally } from "../../helpers/local-http-server.ts";

/** One scripted answer: a function that writes the response (or hangs, or cuts the socket). */
export type Step = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** Value of `stamp()` when the request arrived (a fake timer's now in tests). */
  readonly at: number;
}

/** A local HTTP server that answers each request with the next scripted step per path prefix. */
export class ScriptServer {
  readonly received: Received[] = [];
  readonly #scripts = new Map<string, Step[]>();
  #server: LocalHttpServer | undefined;
  #fallback: Step = (_q, s) => json(s, 404, { error: "no script" });
  stamp: () => number = () => 0;
  url = "";

  /** Queues steps for requests whose path starts with `prefix`. */
  script(prefix: string, ...steps: Step[]): this {
    this.#scripts.set(prefix, [...(this.#scripts.get(prefix) ?? []), ...steps]);
    return this;
  }

  /** Answer used once a prefix has no steps left. */
  otherwise(step: Step): this {
    this.#fallback = step;
    return this;
  }

  async start(): Promise<this> {
    this.#server = await listenLocally((req, res, body) => {
      this.received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        at: this.stamp(),
      });
      const key = [...this.#scripts.keys()].find((k) => (req.url ?? "").startsWith(k));
      const step = key === undefined ? undefined : this.#scripts.get(key)?.shift();
      (step ?? this.#fallback)(req, res, body);
    });
    this.url = this.#server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }

  /** Requests whose path starts with `prefix`. */
  hits(prefix: string): Received[] {
    return this.received.filter((r) => r.url.startsWith(prefix));
  }
}

/** Writes a JSON answer. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A step that answers JSON. */
export const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_q, s) =>
    json(s, status, body, headers);

/** A step that promises more bytes than it sends, then closes the socket. */
export const truncated: Step = (_q, s) => {
  s.writeHead(200, { "content-type": "application/json", "content-length": 500 });
  // Cut the socket once the partial body is on the wire.
  s.write('{"result":[{"sys_id":"a"', () => s.socket?.destroy());
};

/** A step that sends a complete chunked body that is not valid JSON (cut short upstream). */
export const badJson: Step = (_q, s) => {
  s.writeHead(200, { "content-type": "application/json" });
  s.end('{"result":[{"sys_id":');
};

/** A step that never answers. */
export const hang: Step = () => {};
