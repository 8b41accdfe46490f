import { type PolicyKind, parsePolicyDocument } from "../../src/iam/policy-document.ts";
import { type Decision, evaluatePolicies } from "../../src/iam/policy-evaluator.ts";
import {
  type AuthorizationRequest,
  contextValues,
  type RequestPrincipal,
} from "../../src/iam/request-context.ts";

/** A 2012-10-17 document from statements (objects as AWS prints them). */
export function policy(statements: unknown[] | unknown, kind: PolicyKind = "identity") {
  return parsePolicyDocument({ Version: "2012-10-17", Statement: statements }, kind);
}

export interface Ask {
  action: string;
  resource?: string;
  context?: Record<string, string | string[] | undefined>;
  principal?: RequestPrincipal;
}

export function request(a: Ask): AuthorizationRequest {
  const r: AuthorizationRequest = {
    action: a.action,
    resource: a.resource ?? "*",
    context: contextValues(a.context ?? {}),
  };
  if (a.principal) r.principal = a.principal;
  return r;
}

/** The decision of identity-based `docs` for one request. */
export function decide(docs: ReturnType<typeof policy>[], a: Ask): Decision {
  return evaluatePolicies(
    docs.map((document, i) => ({ name: `p${i}`, document })),
    request(a),
  ).decision;
}

/** One statement with a Condition block, evaluated for a request context; true when it applies. */
export function conditionApplies(condition: unknown, context: Record<string, string | string[] | undefined>) {
  const doc = policy({ Effect: "Allow", Action: "svc:Do", Resource: "*", Condition: condition });
  return decide([doc], { action: "svc:Do", context }) === "Allow";
}
