import type { FastifyRequest } from "fastify";
import { ProfileflowError } from "../core/errors.ts";
import { scopeService } from "../security/sigv4-verifier.ts";
import { servedServices } from "./edge-errors.ts";
import type { Operation, ServiceDefinition, ServiceName } from "./operation.ts";
import { isQueryService, parseForm } from "./query-protocol.ts";

/** Operations grouped by `method path`, then by signing service (services that share a path are told apart by it). */
export type RouteTable = Map<string, Map<ServiceName, Operation[]>>;

/**
 * Groups the services' operations by method + path, and fills `byPath` (route key → the service whose
 * error shape an unsigned request there gets; "profile" where JSON services share a path).
 */
export function groupRoutes(services: ServiceDefinition[], byPath: Map<string, ServiceName>): RouteTable {
  const routes: RouteTable = new Map();
  for (const def of services) {
    for (const op of def.operations) {
      const key = `${op.method} ${op.path}`;
      const perService = routes.get(key) ?? new Map<ServiceName, Operation[]>();
      perService.set(def.service, [...(perService.get(def.service) ?? []), op]);
      routes.set(key, perService);
      // Unsigned requests to POST / keep Secrets Manager's error shape; IAM and STS are told by their scope.
      // KMS shares POST / with Secrets Manager: it is told by its scope or its X-Amz-Target (serviceFor).
      if (isQueryService(def.service) || def.service === "kms") continue;
      byPath.set(key, byPath.has(key) && byPath.get(key) !== def.service ? "profile" : def.service);
    }
  }
  return routes;
}

/** The operation among a route's candidates: by the form's Action, else the only one, else by X-Amz-Target. */
export function pick(candidates: Operation[], req: FastifyRequest): Operation | undefined {
  if (candidates[0]?.action !== undefined) {
    const action = parseForm(req.rawBody, req.url)["Action"];
    return candidates.find((op) => op.action === action);
  }
  if (candidates.length === 1 && !candidates[0]!.target) return candidates[0];
  const target = req.headers["x-amz-target"];
  return candidates.find((op) => op.target === target);
}

export function unknownOperation(req: FastifyRequest): ProfileflowError {
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
export function serviceFor(req: FastifyRequest, byPath: Map<string, ServiceName>): ServiceName {
  const scoped = scopeService(req.headers.authorization);
  // IAM and STS answer only form posts to /: elsewhere an iam- or sts-scoped request gets the path's own shape.
  const elsewhere =
    scoped !== undefined &&
    isQueryService(scoped) &&
    (pathOf(req) !== "/" || req.headers["x-amz-target"] !== undefined);
  if (scoped && servedServices.has(scoped as ServiceName) && !elsewhere) return scoped as ServiceName;
  const target = req.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("secretsmanager.")) return "secretsmanager";
  if (typeof target === "string" && target.startsWith("TrentService.")) return "kms";
  const route = req.routeOptions?.url;
  return (route && byPath.get(`${req.method} ${route}`)) || "profile";
}
