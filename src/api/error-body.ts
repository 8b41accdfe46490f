import type { Socket } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../core/logger.ts";
import { clientGone, frameworkError } from "./edge-errors.ts";
import { errorReply } from "./error-envelope.ts";
import type { ServiceName } from "./operation.ts";
import { isQueryService, queryErrorXml } from "./query-protocol.ts";
import { serviceFor } from "./request-routing.ts";

/** Sets the AWS error status and headers on `reply` and returns the body. */
export type ErrorBody = (req: FastifyRequest, reply: FastifyReply, error: unknown) => string;

/** The edge's error writer: the request's service's error shape, logged when it is ours (5xx). */
export function errorBodyWriter(logger: Logger, byPath: Map<string, ServiceName>): ErrorBody {
  return (req, reply, error) => {
    const service = serviceFor(req, byPath);
    if (clientGone(req, error)) {
      logger.debug({ requestId: req.id, code: (error as { code?: string }).code }, "client aborted");
    }
    const reply0 = errorReply(service, frameworkError(error));
    if (reply0.status >= 500 && !clientGone(req, error)) {
      logger.error({ err: error, requestId: req.id }, "request failed");
    }
    if (reply0.type === "InvalidSignatureException") reply.header("date", new Date().toUTCString());
    // Refused before its body was read: close rather than wait for whatever the client still sends,
    // but lingering, so that a client still writing reads the answer instead of a reset.
    if (req.body === undefined && declaresBody(req)) {
      reply.header("connection", "close");
      lingerOnClose(req.raw.socket);
    }
    if (isQueryService(service)) {
      reply.code(reply0.status).header("x-amzn-RequestId", req.id).header("content-type", "text/xml");
      return queryErrorXml(service, reply0, req.id);
    }
    reply
      .code(reply0.status)
      .header("x-amzn-RequestId", req.id)
      .header("x-amzn-ErrorType", reply0.type)
      .header("content-type", "application/json");
    return JSON.stringify(reply0.body);
  };
}

function declaresBody(req: FastifyRequest): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** How long a refused connection keeps reading (and discarding) what its client still sends. */
const LINGER_MS = 2_000;

/**
 * RFC 9112 §9.6's staged close for a connection answered before its request body was read: Node ends
 * such a connection by destroying the socket as soon as the answer is written, and a client still
 * sending its body then gets a reset (EPIPE) instead of the answer. Here the answer goes out with the
 * write side closed (FIN), what the client still sends is read and discarded, and the socket is
 * destroyed when the client closes its side or after LINGER_MS, whichever comes first.
 */
function lingerOnClose(socket: Socket): void {
  if (socket.destroyed) return;
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("end", () => socket.destroy());
    socket.once("close", () => clearTimeout(timer));
  };
}
