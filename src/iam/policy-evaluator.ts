import { conditionsHold } from "./conditions.ts";
import { matchesPattern } from "./pattern.ts";
import type { PolicyDocument, PrincipalSpec, Statement } from "./policy-document.ts";
import type { AuthorizationRequest, RequestPrincipal } from "./request-context.ts";

/**
 * AWS's evaluation logic for one set of policies: an explicit deny in any statement wins; else an
 * allow in any statement allows; else the request is implicitly denied.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

/** A policy with the name it is known by (for explanations and audit). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export interface Evaluation {
  decision: Decision;
  /** The statement that decided (the deny, or the first allow); absent for an implicit deny. */
  policy?: string;
  sid?: string;
  statementIndex?: number;
}

/** Evaluates `policies` (identity-based, or one resource-based policy with its Principal) for `request`. */
export function evaluatePolicies(
  policies: readonly NamedPolicy[],
  request: AuthorizationRequest,
): Evaluation {
  let allow: Evaluation | undefined;
  for (const p of policies) {
    const statements = p.document.statements;
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i]!;
      if (s.effect === "Allow" && allow) continue;
      if (!statementApplies(s, request)) continue;
      const found: Evaluation = {
        decision: s.effect === "Deny" ? "ExplicitDeny" : "Allow",
        policy: p.name,
        statementIndex: i,
      };
      if (s.sid !== undefined) found.sid = s.sid;
      if (s.effect === "Deny") return found;
      allow = found;
    }
  }
  return allow ?? { decision: "ImplicitDeny" };
}

/** Whether a statement matches the request: principal, action, resource, then conditions. */
export function statementApplies(s: Statement, request: AuthorizationRequest): boolean {
  if (s.principal !== undefined && !principalMatches(s.principal, request.principal)) return false;
  if (s.notPrincipal !== undefined && principalMatches(s.notPrincipal, request.principal)) return false;
  if (s.action !== undefined && !s.action.some((a) => actionMatches(a, request.action))) return false;
  if (s.notAction?.some((a) => actionMatches(a, request.action))) return false;
  if (s.resource !== undefined && !s.resource.some((r) => resourceMatches(r, request))) return false;
  if (s.notResource?.some((r) => resourceMatches(r, request))) return false;
  return conditionsHold(s.conditions, request.context);
}

const NO_VARIABLES = new Map<string, string>();

/** Actions are matched case-insensitively, with `*` and `?`; they take no policy variables. */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  return matchesPattern(pattern, action, NO_VARIABLES, {
    wildcards: true,
    variables: false,
    ignoreCase: true,
  });
}

/**
 * Resources are matched case-sensitively, with `*` and `?` and policy variables; a `*` may run past a
 * colon ("If the * wildcard is the last character of a resource ARN segment, it can expand to match
 * beyond the colon boundaries").
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export function resourceMatches(pattern: string, request: AuthorizationRequest): boolean {
  if (pattern === "*") return true;
  return matchesPattern(pattern, request.resource, request.context, {
    wildcards: true,
    variables: true,
    ignoreCase: false,
  });
}

/**
 * A trust policy's Principal: `"*"` or `{"AWS": "*"}` is anyone; an account id or its `:root` ARN is
 * any principal of that account; otherwise an exact ARN (a role's ARN also names its sessions) or a
 * service name.
 */
export function principalMatches(spec: PrincipalSpec, who: RequestPrincipal | undefined): boolean {
  if (spec === "*") return true;
  if (!who) return false;
  const names = spec[who.type];
  if (!names) return false;
  for (const n of names) {
    if (n === "*") return true;
    if (who.ids.includes(n)) return true;
    if (who.type === "AWS" && who.account !== undefined) {
      if (n === who.account || n === `arn:aws:iam::${who.account}:root`) return true;
    }
  }
  return false;
}
