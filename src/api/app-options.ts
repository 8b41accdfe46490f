import { defaults } from "../config/config.ts";
import type { Logger } from "../core/logger.ts";
import type { RequestsInFlight } from "../core/requests-in-flight.ts";
import type { AuthorizationInput } from "../security/iam/authorizer.ts";
import type { PendingSignature, SigV4Verifier, VerifiedCaller } from "../security/sigv4-verifier.ts";
import type { ApiMetrics } from "./metrics.ts";
import type { ServiceDefinition } from "./operation.ts";

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
  /** Counts the requests being served (the flows engine commits in smaller parts while any are). */
  inFlight?: RequestsInFlight;
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

/** The configured defaults, overridden by `options.limits` (and `options.bodyLimit`). */
export function edgeLimits(options: AppOptions): EdgeLimits {
  return {
    bodyLimit: options.bodyLimit ?? 6 * 1024 * 1024,
    requestTimeoutMs: defaults.requestTimeoutMs,
    headersTimeoutMs: defaults.headersTimeoutMs,
    connectionTimeoutMs: defaults.connectionTimeoutMs,
    keepAliveTimeoutMs: defaults.keepAliveTimeoutMs,
    maxConnections: defaults.maxConnections,
    ...options.limits,
  };
}
