import type { IncomingMessage, ServerResponse } from "node:http";
import { type LocalHttpServer, listenLocally } from "./local-http-server.ts";

/** What a listener received. */
export interface Arrival {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** How the listener answers; default: 401 JSON. */
export type Answer = (req: IncomingMessage, res: ServerResponse, listener: VendorListener) => void;

/**
 * A local HTTP listener standing in for a host nobody should contact: it records every request that
 * reaches it and counts the bytes it manages to write (the client side of a size cap is measured here,
 * by the server, not by time).
 */
export class VendorListener {
  readonly arrivals: Arrival[] = [];
  /** Bytes the listener's socket accepted for its answers. */
  bytesWritten = 0;
  url = "";
  answer: Answer = (_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "User Not Authenticated" }, status: "failure" }));
  };
  #server: LocalHttpServer | undefined;

  async start(): Promise<this> {
    this.#server = await listenLocally((req, res, body) => {
      this.arrivals.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body,
      });
      this.answer(req, res, this);
    });
    this.url = this.#server.url;
    return this;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }
}

/**
 * Answers `status` with a body of `total` bytes of `chunk` (repeated), written as fast as the client
 * reads it (chunked unless `declared`); stops when the client goes away. Counts in `bytesWritten` what
 * the response accepted (the socket's buffers hold at most one piece more).
 */
export function hugeBody(
  status: number,
  total: number,
  contentType: string,
  chunk: string,
  declared = false,
): Answer {
  return (_req, res, listener) => {
    const piece = Buffer.from(chunk.repeat(Math.ceil(65_536 / chunk.length)).slice(0, 65_536));
    res.writeHead(status, {
      "content-type": contentType,
      ...(declared ? { "content-length": String(total) } : {}),
    });
    let sent = 0;
    let gone = false;
    res.on("close", () => {
      gone = true;
    });
    const pump = (): void => {
      while (!gone && sent < total) {
        const n = Math.min(piece.length, total - sent);
        sent += n;
        listener.bytesWritten += n;
        if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) {
          res.once("drain", pump);
          return;
        }
      }
      if (!gone) res.end();
    };
    pump();
  };
}
