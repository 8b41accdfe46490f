import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A plain HTTP server on a free port of 127.0.0.1, for a test to stand in for a remote host. */
export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Drops open connections and closes the server. */
  stop(): Promise<void>;
}

/** Listens on a free local port and hands each request, once its whole body (UTF-8) has arrived, to `handle`. */
export async function listenLocally(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<LocalHttpServer> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
