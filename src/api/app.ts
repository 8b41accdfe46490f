import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import { type SigV4Verifier, scopeService, type VerifiedCaller } from "../security/sigv4-verifier.ts";
import { errorReply } from "./error-envelope.ts";
import { type ApiMetrics, createApiMetrics } from "./metrics.ts";
import type { Operation, ServiceDefinition, ServiceName } from "./operation.ts";
import { checkModelLimits } from "./validate.ts";

export interface AppOptions {
  verifier: SigV4Verifier;
  services: ServiceDefinition[];
  logger: Logger;
  metrics?: ApiMetrics;
  /** Largest request body accepted, in bytes (default 6 MiB). */
  bodyLimit?: number;
  /** Extra unsigned routes (the console, health details) registered by the composition root. */
  extend?: (app: FastifyInstance) => void;
}

declare module "fastify" {
  interface FastifyRequest {
    rawBody: Buffer;
    operationName: string;
  }
}

const served = new Set<ServiceName>(["profile", "appflow", "secretsmanager"]);

/**
 * Builds the AWS-compatible HTTP edge (no listen()): every request is SigV4-verified, dispatched by
 * method + path and, where services share a path (`/tags/{resourceArn}`), by the signing service.
 */
export function createApp(options: AppOptions): FastifyInstance {
  const metrics = options.metrics ?? createApiMetrics();
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 6 * 1024 * 1024,
    genReqId: () => uuid(),
    return503OnClosing: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.addHook("onRequest", async (req, reply) => {
    req.rawBody = Buffer.alloc(0);
    req.operationName = "unknown";
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
  const byPath = new Map<string, ServiceName>();
  for (const def of options.services) {
    for (const op of def.operations) {
      const key = `${op.method} ${op.path}`;
      const perService = routes.get(key) ?? new Map<ServiceName, Operation[]>();
      perService.set(def.service, [...(perService.get(def.service) ?? []), op]);
      routes.set(key, perService);
      byPath.set(key, byPath.has(key) && byPath.get(key) !== def.service ? "profile" : def.service);
    }
  }
  for (const [key, perService] of routes) {
    const [method, url] = key.split(" ") as [Operation["method"], string];
    app.route({
      method,
      url,
      handler: async (req, reply) => {
        const caller = await authenticate(req, options.verifier);
        const service = caller.service as ServiceName;
        const candidates = perService.get(service);
        const op = candidates && pick(candidates, req);
        if (!op) throw unknownOperation(req);
        req.operationName = op.name;
        const body = parseJson(req.rawBody);
        checkModelLimits(service, op.name, body, req.query as Record<string, string | string[]>);
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

  app.setNotFoundHandler(async (req) => {
    await authenticate(req, options.verifier);
    throw unknownOperation(req);
  });

  app.setErrorHandler(async (error: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const service = serviceFor(req, byPath);
    const reply0 = errorReply(service, toProfileflowError(error));
    if (reply0.status >= 500) options.logger.error({ err: error, requestId: req.id }, "request failed");
    if (reply0.type === "InvalidSignatureException") reply.header("date", new Date().toUTCString());
    reply
      .code(reply0.status)
      .header("x-amzn-ErrorType", reply0.type)
      .header("content-type", "application/json");
    return JSON.stringify(reply0.body);
  });

  options.extend?.(app);
  return app;
}

async function authenticate(req: FastifyRequest, verifier: SigV4Verifier): Promise<VerifiedCaller> {
  const body = req.body;
  req.rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const caller = await verifier.verify({
    method: req.method,
    rawUrl: req.url,
    headers: req.headers,
    body: req.rawBody,
  });
  if (!served.has(caller.service as ServiceName)) {
    throw new ProfileflowError(
      "INVALID_SIGNATURE",
      `Credential should be scoped to a valid service: profile, appflow or secretsmanager, not '${caller.service}'.`,
    );
  }
  return caller;
}

function pick(candidates: Operation[], req: FastifyRequest): Operation | undefined {
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
  return new ProfileflowError(
    "UNKNOWN_OPERATION",
    `No operation is served at ${req.method} ${req.url.split("?")[0]}`,
  );
}

function toProfileflowError(error: unknown): unknown {
  if (error instanceof ProfileflowError) return error;
  const code = (error as { code?: string }).code;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new ProfileflowError("BODY_TOO_LARGE", "The request body is larger than the service accepts.");
  }
  if (code?.startsWith("FST_ERR_CTP") || code === "FST_ERR_BAD_URL") {
    return new ProfileflowError("VALIDATION_FAILED", (error as Error).message);
  }
  return error;
}

/** Which service's error shape a request gets: its signing scope, else its route's owner, else Customer Profiles. */
function serviceFor(req: FastifyRequest, byPath: Map<string, ServiceName>): ServiceName {
  const scoped = scopeService(req.headers.authorization);
  if (scoped && served.has(scoped as ServiceName)) return scoped as ServiceName;
  if (
    typeof req.headers["x-amz-target"] === "string" &&
    req.headers["x-amz-target"].startsWith("secretsmanager.")
  ) {
    return "secretsmanager";
  }
  const route = req.routeOptions?.url;
  return (route && byPath.get(`${req.method} ${route}`)) || "profile";
}
