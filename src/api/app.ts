import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { defaults } from "../config/config.ts";
import { ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import type { AuthorizationInput } from "../security/iam/authorizer.ts";
import {
  type PendingSignature,
  type SigV4Verifier,
  scopeService,
  type VerifiedCaller,
} from "../security/sigv4-verifier.ts";
import { clientErrorHandler, clientGone, frameworkError, servedServices } from "./edge-errors.ts";
import { errorReply } from "./error-envelope.ts";
import { type ApiMetrics, createApiMetrics } from "./metrics.ts";
import type { Operation, ServiceDefinition, ServiceName } from "./operation.ts";
import { parseQueryObject } from "./query-parser.ts";
import { isQueryService, parseForm, queryErrorXml } from "./query-protocol.ts";
import { checkModelLimits, checkNoNul } from "./validate.ts";

/** The edge's guards against slow or greedy clients (config: docs/configuration.md). */
export interface EdgeLimits {
  /** Largest request body accepted, in bytes (default 6 MiB). */
  bodyLimit: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export interface AppOptions {
  verifier: SigV4Verifier;
  services: ServiceDefinition[];
  logger: Logger;
  metrics?: ApiMetrics;
  /** Largest request body accepted, in bytes (default 6 MiB); same as `limits.bodyLimit`. */
  bodyLimit?: number;
  limits?: Partial<EdgeLimits>;
  /** Authorizes each signed request before its handler (IAM policies; throws ACCESS_DENIED). */
  authorize?: (request: AuthorizationInput) => Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    rawBody: Buffer;
    operationName: string;
    signature: PendingSignature | undefined;
    caller: VerifiedCaller | undefined;
  }
}

/**
 * Longer than any URL Node accepts (its 16 KiB header limit), so a path parameter is never refused
 * by the router: each operation validates its own members against AWS's limits, naming them.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Builds the AWS-compatible HTTP edge (no listen()): every request's Authorization is checked before
 * its body is read, its signature once the body is in; dispatch is by method + path and, where
 * services share a path (`/tags/{resourceArn}`), by the signing service.
 */
export function createApp(options: AppOptions): FastifyInstance {
  const metrics = options.metrics ?? createApiMetrics();
  const limits: EdgeLimits = {
    bodyLimit: options.bodyLimit ?? 6 * 1024 * 1024,
    requestTimeoutMs: defaults.requestTimeoutMs,
    headersTimeoutMs: defaults.headersTimeoutMs,
    connectionTimeoutMs: defaults.connectionTimeoutMs,
    keepAliveTimeoutMs: defaults.keepAliveTimeoutMs,
    maxConnections: defaults.maxConnections,
    ...options.limits,
  };
  const byPath = new Map<string, ServiceName>();
  const app = Fastify({
    bodyLimit: limits.bodyLimit,
    genReqId: () => uuid(),
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, querystringParser: parseQueryObject },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(options.logger),
    frameworkErrors: (error, req, reply) => {
      const r = reply as unknown as FastifyReply;
      r.send(errorBody(req as unknown as FastifyRequest, r, error));
    },
  });
  app.server.maxConnections = limits.maxConnections;
  // `Expect: 100-continue`: Node would invite the body at once; the signed scope does, once the head passed.
  app.server.on("checkContinue", (req, res) => app.server.emit("request", req, res));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.addHook("onRequest", async (req, reply) => {
    req.rawBody = Buffer.alloc(0);
    req.operationName = "unknown";
    req.signature = undefined;
    req.caller = undefined;
    reply.header("x-amzn-RequestId", req.id);
  });
  app.addHook("onResponse", async (req, reply) => {
    const service = serviceFor(req, byPath);
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ service, operation: req.operationName, status: String(reply.statusCode) });
    metrics.duration.observe({ service, operation: req.operationName }, seconds);
    options.logger.info(
      {
        requestId: req.id,
        method: req.method,
        path: req.url.split("?")[0],
        service,
        operation: req.operationName,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      "request",
    );
  });

  app.get("/health", async () => ({ status: "ok" }));
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // Group operations by method + path so services that share a path are told apart by signing service.
  const routes = new Map<string, Map<ServiceName, Operation[]>>();
  for (const def of options.services) {
    for (const op of def.operations) {
      const key = `${op.method} ${op.path}`;
      const perService = routes.get(key) ?? new Map<ServiceName, Operation[]>();
      perService.set(def.service, [...(perService.get(def.service) ?? []), op]);
      routes.set(key, perService);
      // Unsigned requests to POST / keep Secrets Manager's error shape; IAM and STS are told by their scope.
      if (isQueryService(def.service)) continue;
      byPath.set(key, byPath.has(key) && byPath.get(key) !== def.service ? "profile" : def.service);
    }
  }

  // The signed API in its own scope: its hooks (and its 404) do not touch /health or /metrics.
  app.register(async (signed) => {
    signed.addHook("onRequest", async (req, reply) => {
      const pending = await options.verifier.checkHead({
        method: req.method,
        rawUrl: req.url,
        headers: req.raw.headersDistinct,
      });
      if (!servedServices.has(pending.caller.service as ServiceName)) {
        throw new ProfileflowError(
          "INVALID_SIGNATURE",
          `Credential should be scoped to a valid service: profile, appflow, secretsmanager, iam or sts, not '${pending.caller.service}'.`,
        );
      }
      req.signature = pending;
      // A declared length over the limit is refused from the head, before the body is invited or read.
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > limits.bodyLimit) {
        throw new ProfileflowError("BODY_TOO_LARGE", "The request body is larger than the service accepts.");
      }
      if (req.headers.expect?.toLowerCase() === "100-continue") reply.raw.writeContinue();
    });
    signed.addHook("preHandler", async (req) => {
      req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      req.caller = options.verifier.checkBody(req.signature!, req.rawBody);
    });

    for (const [key, perService] of routes) {
      const [method, url] = key.split(" ") as [Operation["method"], string];
      signed.route({
        method,
        url,
        handler: async (req, reply) => {
          const caller = req.caller!;
          const service = caller.service as ServiceName;
          const candidates = perService.get(service);
          const op = candidates && pick(candidates, req);
          if (!op) throw unknownOperation(req);
          req.operationName = op.name;
          const { authorize } = options;
          if (op.action !== undefined) return queryOperation(op, req, reply, caller, service, authorize);
          const body = parseJson(req.rawBody);
          const query = req.query as Record<string, string | string[]>;
          // U+0000 in any member, then AWS's modelled limits (and our caps where it has none), before
          // the handler: issue 13, points 10 and 4.
          checkNoNul(service, op.name, req.params as Record<string, string>, query, body, req.rawBody);
          checkModelLimits(service, op.name, body, query);
          const params = req.params as Record<string, string>;
          await authorize?.({ service, operation: op.name, params, body, accessKeyId: caller.accessKeyId });
          const result = await op.handler({
            params: req.params as Record<string, string>,
            query: req.query as Record<string, string | string[]>,
            body,
            headers: req.headers,
            caller,
            requestId: req.id,
            service,
          });
          reply.header(
            "content-type",
            service === "secretsmanager" ? "application/x-amz-json-1.1" : "application/json",
          );
          return JSON.stringify(result ?? {});
        },
      });
    }

    signed.setNotFoundHandler(async (req) => {
      throw unknownOperation(req);
    });
  });

  app.setErrorHandler(async (error: unknown, req: FastifyRequest, reply: FastifyReply) =>
    errorBody(req, reply, error),
  );

  /** Sets the AWS error status and headers on `reply` and returns the body. */
  function errorBody(req: FastifyRequest, reply: FastifyReply, error: unknown): string {
    const service = serviceFor(req, byPath);
    if (clientGone(req, error)) {
      options.logger.debug({ requestId: req.id, code: (error as { code?: string }).code }, "client aborted");
    }
    const reply0 = errorReply(service, frameworkError(error));
    if (reply0.status >= 500 && !clientGone(req, error)) {
      options.logger.error({ err: error, requestId: req.id }, "request failed");
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
  }

  return app;
}

function declaresBody(req: FastifyRequest): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** A query-protocol (IAM, STS) operation: the form's members in, the handler's XML document out. */
async function queryOperation(
  op: Operation,
  req: FastifyRequest,
  reply: FastifyReply,
  caller: VerifiedCaller,
  service: ServiceName,
  authorize: AppOptions["authorize"],
): Promise<string> {
  const body = parseForm(req.rawBody, req.url);
  await authorize?.({ service, operation: op.name, params: {}, body, accessKeyId: caller.accessKeyId });
  const result = await op.handler({
    params: {},
    query: req.query as Record<string, string | string[]>,
    body,
    headers: req.headers,
    caller,
    requestId: req.id,
    service,
  });
  reply.header("content-type", "text/xml");
  return String(result);
}

function pick(candidates: Operation[], req: FastifyRequest): Operation | undefined {
  if (candidates[0]?.action !== undefined) {
    const action = parseForm(req.rawBody, req.url)["Action"];
    return candidates.find((op) => op.action === action);
  }
  if (candidates.length === 1 && !candidates[0]!.target) return candidates[0];
  const target = req.headers["x-amz-target"];
  return candidates.find((op) => op.target === target);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw new ProfileflowError(
      "MALFORMED_JSON",
      `The request body is not valid JSON: ${(e as Error).message}`,
    );
  }
}

function unknownOperation(req: FastifyRequest): ProfileflowError {
  const target = req.headers["x-amz-target"];
  const what =
    typeof target === "string"
      ? `${req.method} ${pathOf(req)} (X-Amz-Target ${target})`
      : `${req.method} ${pathOf(req)}`;
  return new ProfileflowError("UNKNOWN_OPERATION", `No operation is served at ${what}.`);
}

function pathOf(req: FastifyRequest): string {
  return req.url.split("?")[0]!.slice(0, 512);
}

/** Which service's error shape a request gets: its signing scope, else its route's owner, else Customer Profiles. */
function serviceFor(req: FastifyRequest, byPath: Map<string, ServiceName>): ServiceName {
  const scoped = scopeService(req.headers.authorization);
  // IAM and STS answer only form posts to /: elsewhere an iam- or sts-scoped request gets the path's own shape.
  const elsewhere =
    scoped !== undefined &&
    isQueryService(scoped) &&
    (pathOf(req) !== "/" || req.headers["x-amz-target"] !== undefined);
  if (scoped && servedServices.has(scoped as ServiceName) && !elsewhere) return scoped as ServiceName;
  const target = req.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("secretsmanager.")) return "secretsmanager";
  const route = req.routeOptions?.url;
  return (route && byPath.get(`${req.method} ${route}`)) || "profile";
}
