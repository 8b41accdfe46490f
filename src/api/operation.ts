import type { VerifiedCaller } from "../security/sigv4-verifier.ts";

/** The signing services served on the one port. */
export type ServiceName = "profile" | "appflow" | "secretsmanager" | "iam" | "sts" | "kms";

/** What an operation handler sees: decoded path params, query, parsed JSON body, caller. */
export interface OperationContext {
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  caller: VerifiedCaller;
  requestId: string;
  service: ServiceName;
}

/** One wire operation: its AWS name, HTTP method and path (fastify syntax, `:Param`). */
export interface Operation {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** For awsJson services (Secrets Manager): the `X-Amz-Target` value this operation answers. */
  target?: string;
  /**
   * For query-protocol services (IAM, STS): the form's `Action` this operation answers; its body is the
   * form's members and its handler returns the whole XML response.
   */
  action?: string;
  handler: (ctx: OperationContext) => Promise<unknown>;
}

/** All the operations of one service. Several services may serve the same method + path. */
export interface ServiceDefinition {
  service: ServiceName;
  operations: Operation[];
}

/** A JSON-protocol POST operation (AppFlow's shape): its name, path and handler. */
export function postOperation(name: string, path: string, handler: Operation["handler"]): Operation {
  return { name, method: "POST", path, handler };
}
