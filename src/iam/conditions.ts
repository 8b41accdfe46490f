import type { ConditionClause } from "./policy-document.ts";
import type { ContextValues } from "./request-context.ts";

/**
 * Whether a statement's Condition block holds: every operator and every key must hold (AND), any of
 * a key's values may match (OR; NOR for a negated operator).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */
export function conditionsHold(clauses: readonly ConditionClause[], context: ContextValues): boolean {
  for (const c of clauses) if (!clauseHolds(c, context)) return false;
  return true;
}

/** One operator + key + values against the request context. */
export function clauseHolds(c: ConditionClause, context: ContextValues): boolean {
  const value = context.get(c.keyLower);
  // An empty list (a request with no tags has `aws:TagKeys` = []) counts as absent.
  const present = value !== undefined && !(Array.isArray(value) && value.length === 0);
  if (c.operator.type === "null") {
    // "true": the key must be absent; "false": it must be present. Several values are ORed.
    return c.values.some((v) => (v.toLowerCase() === "true") === !present);
  }
  const requestValues: readonly string[] = !present ? [] : typeof value === "string" ? [value] : value;
  if (c.set === "ForAllValues") {
    // True when every request value satisfies the operator, so also when the key is absent.
    return requestValues.every((r) => satisfies(c, r, context));
  }
  if (!present) {
    // `…IfExists`: no key, no check. A negated operator holds when the key is absent; others do not.
    // ForAnyValue over an absent key is false ("no values to match").
    if (c.ifExists) return true;
    return c.set === undefined && c.operator.negated;
  }
  if (c.set === "ForAnyValue") return requestValues.some((r) => satisfies(c, r, context));
  // No set operator: a single-valued key (a multivalued one is matched as ForAnyValue would for a
  // positive operator and as "none matches" for a negated one, which is what one test does).
  if (c.operator.negated) return !requestValues.some((r) => anyValueMatches(c, r, context));
  return requestValues.some((r) => anyValueMatches(c, r, context));
}

/** The operator applied to one request value: positive → some policy value matches; negated → none does. */
function satisfies(c: ConditionClause, r: string, context: ContextValues): boolean {
  const hit = anyValueMatches(c, r, context);
  return c.operator.negated ? !hit : hit;
}

function anyValueMatches(c: ConditionClause, r: string, context: ContextValues): boolean {
  for (const p of c.values) if (c.operator.test(p, r, context)) return true;
  return false;
}
