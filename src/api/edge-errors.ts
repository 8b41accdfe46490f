import type { Socket } from "node:net";
import type { FastifyRequest } from "fastify";
import { ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import { scopeService } from "../security/sigv4-verifier.ts";
import { errorReply } from "./error-envelope.ts";
import type { ServiceName } from "./operation.ts";

export const servedServices: ReadonlySet<ServiceName> = new Set<ServiceName>([
  "profile",
  "appflow",
  "secretsmanager",
  "iam",
  "sts",
  "kms",
]);

/** A fastify or Node failure that is the client's doing, as a registry error; anything else unchanged. */
export function frameworkError(error: unknown): unknown {
  if (error instanceof ProfileflowError) return error;
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ProfileflowError("BODY_TOO_LARGE", "The request body is larger than the service accepts.");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ProfileflowError("URI_TOO_LONG", "A path parameter is longer than the service accepts.");
    case "FST_ERR_BAD_URL":
      return new ProfileflowError(
        "MALFORMED_HTTP",
        "The request path is not a valid URL: it has a malformed percent escape.",
      );
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ProfileflowError(
        "MALFORMED_HTTP",
        "The request body's length does not match its Content-Length header.",
      );
  }
  if (e.code?.startsWith("FST_ERR_CTP")) return new ProfileflowError("VALIDATION_FAILED", e.message ?? "");
  return error;
}

/** True when the client went away mid-request (its socket closed): nothing to answer, nothing to fix. */
export function clientGone(req: FastifyRequest, error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  // Not `req.raw.destroyed` alone: a request whose body was read in full is destroyed too (autoDestroy).
  return (
    code === "ECONNRESET" ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    (req.raw.destroyed && !req.raw.complete) ||
    req.raw.socket?.destroyed === true
  );
}

/** Which service's error shape a raw, unparsed request gets: its signing scope, else Customer Profiles. */
export function serviceOfRaw(raw: Buffer | undefined): ServiceName {
  const text = raw?.subarray(0, 16 * 1024).toString("latin1");
  const scoped = scopeService(text?.match(/Credential=[^\s,]+/)?.[0]);
  if (scoped && servedServices.has(scoped as ServiceName)) return scoped as ServiceName;
  if (/x-amz-target:\s*TrentService\./i.test(text ?? "")) return "kms";
  return /x-amz-target:\s*secretsmanager\./i.test(text ?? "") ? "secretsmanager" : "profile";
}

/**
 * Node's `clientError` (the request could not be parsed, its headers are too large, it timed out):
 * answered on the raw socket in the AWS shape, then the connection is closed. A reset is logged at debug.
 */
export function clientErrorHandler(logger: Logger) {
  return (err: Error & { code?: string | undefined; rawPacket?: unknown }, socket: Socket): void => {
    if (err.code === "ECONNRESET" || socket.destroyed || !socket.writable) {
      logger.debug({ code: err.code }, "client closed the connection");
      socket.destroy();
      return;
    }
    const error =
      err.code === "HPE_HEADER_OVERFLOW"
        ? new ProfileflowError(
            "HEADERS_TOO_LARGE",
            "The request headers are larger than the service accepts.",
          )
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? new ProfileflowError(
              "REQUEST_TIMEOUT",
              "The request did not arrive in full within the request timeout.",
            )
          : err.code === "HPE_URI_TOO_LONG"
            ? new ProfileflowError("URI_TOO_LONG", "The request URL is longer than the service accepts.")
            : new ProfileflowError(
                "MALFORMED_HTTP",
                `The request is not well-formed HTTP (${err.code ?? "parse error"}).`,
              );
    const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
    const reply = errorReply(serviceOfRaw(raw), error);
    const body = JSON.stringify(reply.body);
    logger.debug({ code: err.code, status: reply.status }, "malformed request refused");
    socket.end(
      `HTTP/1.1 ${reply.status} ${statusText(reply.status)}\r\n` +
        `x-amzn-RequestId: ${uuid()}\r\n` +
        `x-amzn-ErrorType: ${reply.type}\r\n` +
        "Content-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
    socket.destroySoon();
  };
}

function statusText(status: number): string {
  return (
    { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 414: "URI Too Long" }[status] ??
    (status === 431 ? "Request Header Fields Too Large" : "Bad Request")
  );
}
