import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleAdmin } from "./admin-router.ts";
import type { Handler, Reply, SandboxRequest } from "./reply.ts";
import type { SandboxWorld } from "./world.ts";

/** A listening simulator. */
export interface ServerHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts one simulator on `port` (0 = any): `/__sandbox/*` goes to the shared admin router, the rest to the
 * vendor handler. Applies the latency, truncation and fail-next knobs, syncs churn, and sets `Date` from the
 * sandbox clock.
 */
export async function startServer(opts: {
  world: SandboxWorld;
  vendor: string;
  handler: Handler;
  port?: number;
  host?: string;
}): Promise<ServerHandle> {
  const { world, vendor, handler } = opts;
  const server = createServer((req, res) => {
    serve(world, vendor, handler, req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "sandbox_internal", message: String((err as Error)?.stack ?? err) }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  world: SandboxWorld,
  vendor: string,
  handler: Handler,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  world.sync();
  const url = new URL(req.url ?? "/", "http://sandbox");
  const sreq: SandboxRequest = {
    method: req.method ?? "GET",
    url,
    headers: req.headers,
    body: Buffer.concat(chunks),
    now: world.clock.now(),
  };
  const admin = url.pathname.startsWith("/__sandbox/") || url.pathname === "/__sandbox";
  if (!admin && world.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, world.knobs.latencyMs));
  const reply = admin ? handleAdmin(world, vendor, sreq) : await vendorReply(world, handler, sreq);
  const body =
    reply.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(reply.body)
        ? reply.body
        : Buffer.from(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
  const headers: Record<string, string> = {
    date: new Date(world.clock.now()).toUTCString(),
    ...reply.headers,
  };
  if (!admin && reply.status < 300 && body.length > 1 && world.rollTruncate()) {
    // Announce the full length and send half, then drop the connection: what a cut proxy looks like.
    res.writeHead(reply.status, { ...headers, "content-length": String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    res.destroy();
    return;
  }
  res.writeHead(reply.status, { ...headers, "content-length": String(body.length) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The handler's reply, unless the fail-next knob takes this request. */
function vendorReply(world: SandboxWorld, handler: Handler, req: SandboxRequest): Reply | Promise<Reply> {
  const status = world.takeFailNext(req);
  if (status) {
    // What a load balancer in front of the vendor answers; no vendor envelope.
    return {
      status,
      headers: { "content-type": "text/html" },
      body: `<html><body><h1>${status} Injected failure</h1></body></html>`,
    };
  }
  try {
    // Handlers roll their fault before their first await, so the armed fault cannot reach another request.
    return handler(req);
  } finally {
    world.disarmFault();
  }
}
