import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ProfileflowError } from "../core/errors.ts";
import type { VerifiedCaller } from "../security/sigv4-verifier.ts";
import type { AppOptions, EdgeLimits } from "./app-options.ts";
import { servedServices } from "./edge-errors.ts";
import type { Operation, OperationContext, ServiceName } from "./operation.ts";
import { parseForm } from "./query-protocol.ts";
import { pick, type RouteTable, unknownOperation } from "./request-routing.ts";
import { checkModelLimits, checkNoNul } from "./validate.ts";

/** The signed API in its own scope: its hooks (and its 404) do not touch /health or /metrics. */
export function registerSignedApi(
  app: FastifyInstance,
  options: AppOptions,
  limits: EdgeLimits,
  routes: RouteTable,
): void {
  app.register(async (signed) => {
    registerSignatureHooks(signed, options, limits);
    for (const [key, perService] of routes) {
      const [method, url] = key.split(" ") as [Operation["method"], string];
      signed.route({ method, url, handler: (req, reply) => dispatch(req, reply, perService, options) });
    }
    signed.setNotFoundHandler(async (req) => {
      throw unknownOperation(req);
    });
  });
}

/** The Authorization header is checked from the head, before the body is invited; the signature once it is in. */
function registerSignatureHooks(signed: FastifyInstance, options: AppOptions, limits: EdgeLimits): void {
  signed.addHook("onRequest", async (req, reply) => {
    const pending = await options.verifier.checkHead({
      method: req.method,
      rawUrl: req.url,
      headers: req.raw.headersDistinct,
    });
    if (!servedServices.has(pending.caller.service as ServiceName)) {
      throw new ProfileflowError(
        "INVALID_SIGNATURE",
        `Credential should be scoped to a valid service: profile, appflow, secretsmanager, kms, iam or sts, not '${pending.caller.service}'.`,
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
}

/** One signed request: the operation chosen by signing service (and target or Action), checked, authorized, run. */
async function dispatch(
  req: FastifyRequest,
  reply: FastifyReply,
  perService: Map<ServiceName, Operation[]>,
  options: AppOptions,
): Promise<string> {
  const caller = req.caller!;
  const service = caller.service as ServiceName;
  const candidates = perService.get(service);
  const op = candidates && pick(candidates, req);
  if (!op) throw unknownOperation(req);
  req.operationName = op.name;
  const { authorize } = options;
  if (op.action !== undefined) return queryOperation(op, req, reply, caller, service, authorize);
  return jsonOperation(op, req, reply, caller, service, authorize);
}

/** A JSON-protocol operation: the body's members checked before the handler, the result as JSON. */
async function jsonOperation(
  op: Operation,
  req: FastifyRequest,
  reply: FastifyReply,
  caller: VerifiedCaller,
  service: ServiceName,
  authorize: AppOptions["authorize"],
): Promise<string> {
  const body = parseJson(req.rawBody);
  const query = req.query as Record<string, string | string[]>;
  const params = req.params as Record<string, string>;
  // U+0000 in any member, then AWS's modelled limits (and our caps where it has none), before
  // the handler: issue 13, points 10 and 4.
  checkNoNul(service, op.name, params, query, body, req.rawBody);
  checkModelLimits(service, op.name, body, query);
  const result = await authorizeAndHandle(op, req, caller, service, authorize, { params, query, body });
  reply.header(
    "content-type",
    service === "secretsmanager" || service === "kms" ? "application/x-amz-json-1.1" : "application/json",
  );
  return JSON.stringify(result ?? {});
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
  const query = req.query as Record<string, string | string[]>;
  const result = await authorizeAndHandle(op, req, caller, service, authorize, { params: {}, query, body });
  reply.header("content-type", "text/xml");
  return String(result);
}

/** The caller's authorization for the operation, then its handler with the request's members. */
async function authorizeAndHandle(
  op: Operation,
  req: FastifyRequest,
  caller: VerifiedCaller,
  service: ServiceName,
  authorize: AppOptions["authorize"],
  members: Pick<OperationContext, "params" | "query" | "body">,
): Promise<unknown> {
  const { params, query, body } = members;
  await authorize?.({
    service,
    operation: op.name,
    params,
    body,
    accessKeyId: caller.accessKeyId,
    requestId: req.id,
  });
  return op.handler({ params, query, body, headers: req.headers, caller, requestId: req.id, service });
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
