import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { uuid } from "../core/ids.ts";
import { type AppOptions, type EdgeLimits, edgeLimits } from "./app-options.ts";
import { registerConsole } from "./console-static.ts";
import { clientErrorHandler } from "./edge-errors.ts";
import { type ErrorBody, errorBodyWriter } from "./error-body.ts";
import { type ApiMetrics, createApiMetrics } from "./metrics.ts";
import type { ServiceName } from "./operation.ts";
import { parseQueryObject } from "./query-parser.ts";
import { groupRoutes, serviceFor } from "./request-routing.ts";
import { registerSignedApi } from "./signed-api.ts";

export type { AppOptions, EdgeLimits } from "./app-options.ts";

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
  const limits = edgeLimits(options);
  const byPath = new Map<string, ServiceName>();
  const errorBody = errorBodyWriter(options.logger, byPath);
  const app = createServer(options, limits, errorBody);
  registerRequestHooks(app, options, metrics, byPath);
  registerOpsRoutes(app, metrics);
  registerConsole(app);
  registerSignedApi(app, options, limits, groupRoutes(options.services, byPath));
  app.setErrorHandler(async (error: unknown, req: FastifyRequest, reply: FastifyReply) =>
    errorBody(req, reply, error),
  );
  return app;
}

/** Fastify with the edge's limits and timeouts; every body read raw (a Buffer), parsed per protocol later. */
function createServer(options: AppOptions, limits: EdgeLimits, errorBody: ErrorBody): FastifyInstance {
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
  const inFlight = options.inFlight;
  // From the request's head to its answer or its connection's end, whatever the route. An answer
  // queued behind another on a pipelined connection never closes when the client goes: the socket does.
  if (inFlight)
    app.server.on("request", (req, res) => {
      const end = inFlight.begin();
      const socket = req.socket;
      // A kept-alive socket serves many requests: each takes its listener off again.
      const done = () => {
        end();
        socket.off("close", done);
      };
      res.once("close", done);
      socket.once("close", done);
    });
  // `Expect: 100-continue`: Node would invite the body at once; the signed scope does, once the head passed.
  app.server.on("checkContinue", (req, res) => app.server.emit("request", req, res));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  return app;
}

/** Every request: a request id header and fresh per-request state in; metrics and an access log line out. */
function registerRequestHooks(
  app: FastifyInstance,
  options: AppOptions,
  metrics: ApiMetrics,
  byPath: Map<string, ServiceName>,
): void {
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
}

/** Unsigned operational endpoints, outside the signed scope. */
function registerOpsRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
