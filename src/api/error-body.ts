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
    // Refused before its body was read: close rather than drain whatever the client still sends.
    if (req.body === undefined && declaresBody(req)) reply.header("connection", "close");
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
