import { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";
import {
  type ConditionOperator,
  conditionOperator,
  parseDate,
  parseIpBlock,
  parseNumber,
} from "./condition-operators.ts";

/**
 * An IAM policy document, parsed once and normalized (every list an array, condition values strings).
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export interface PolicyDocument {
  version: "2012-10-17" | "2008-10-17";
  id?: string;
  statements: Statement[];
}

export interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  conditions: ConditionClause[];
}

/** `"*"`, or principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`) → names. */
export type PrincipalSpec = "*" | Record<string, string[]>;

/** One `operator: { key: values }` pair of a Condition block. */
export interface ConditionClause {
  /** As written, e.g. `ForAnyValue:StringEqualsIfExists`. */
  operatorName: string;
  operator: ConditionOperator;
  set: "ForAnyValue" | "ForAllValues" | undefined;
  ifExists: boolean;
  /** As written, and lower-cased for lookups. */
  key: string;
  keyLower: string;
  values: string[];
}

/** Identity policies (users, roles) name no principal; trust policies (a role's) name one and no resource. */
/** `resource`: a resource-based policy such as a KMS key policy (Principal required, Resource allowed). */
export type PolicyKind = "identity" | "trust" | "resource";

const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty`);
const stringOrList = (what: string) =>
  z.union([nonEmpty(what), z.array(nonEmpty(what)).min(1, `${what} must list at least one value`)], {
    error: `${what} must be a string or an array of strings`,
  });
const conditionValue = z.union([z.string(), z.number(), z.boolean()], {
  error: "a condition value must be a string, a number or a boolean",
});
const principalSpec = z.union(
  [
    z.literal("*"),
    z.partialRecord(
      z.enum(["AWS", "Service", "Federated", "CanonicalUser"], {
        error: "a principal type must be AWS, Service, Federated or CanonicalUser",
      }),
      stringOrList("a principal"),
    ),
  ],
  { error: 'Principal must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}' },
);

const statementSchema = z.strictObject(
  {
    Sid: z.string({ error: "Sid must be a string" }).optional(),
    Effect: z.enum(["Allow", "Deny"], { error: 'Effect must be "Allow" or "Deny"' }),
    Action: stringOrList("Action").optional(),
    NotAction: stringOrList("NotAction").optional(),
    Resource: stringOrList("Resource").optional(),
    NotResource: stringOrList("NotResource").optional(),
    Principal: principalSpec.optional(),
    NotPrincipal: principalSpec.optional(),
    Condition: z
      .record(
        z.string(),
        z.record(z.string(), z.union([conditionValue, z.array(conditionValue)]), {
          error: "each condition operator must map context keys to values",
        }),
        { error: "Condition must be an object of condition operators" },
      )
      .optional(),
  },
  { error: "a statement must be an object" },
);

const documentSchema = z.strictObject(
  {
    Version: z
      .enum(["2012-10-17", "2008-10-17"], {
        error: 'Version must be "2012-10-17" (or the older "2008-10-17")',
      })
      .optional(),
    Id: z.string({ error: "Id must be a string" }).optional(),
    Statement: z.unknown().optional(),
  },
  { error: "a policy document must be a JSON object" },
);

/**
 * Parses and validates a policy document (JSON text or an already-parsed value); throws
 * `MALFORMED_POLICY_DOCUMENT` naming the first problem and where it is (`Statement[1].Action`).
 */
export function parsePolicyDocument(input: unknown, kind: PolicyKind): PolicyDocument {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw malformed(`Syntax errors in policy: ${(e as Error).message}.`);
    }
  }
  const raw = check(documentSchema, value, []);
  if (raw.Statement === undefined) throw malformed("Missing required field Statement.");
  const statements = Array.isArray(raw.Statement)
    ? check(z.array(statementSchema).min(1, "Statement must not be empty"), raw.Statement, ["Statement"])
    : [check(statementSchema, raw.Statement, ["Statement"])];
  const version = raw.Version ?? "2008-10-17";
  const doc: PolicyDocument = {
    version,
    statements: statements.map((s, i) =>
      literalDollars(
        normalizeStatement(s, Array.isArray(raw.Statement) ? `Statement[${i}]` : "Statement", kind),
        version,
      ),
    ),
  };
  if (raw.Id !== undefined) doc.id = raw.Id;
  return doc;
}

type RawStatement = z.infer<typeof statementSchema>;

function normalizeStatement(s: RawStatement, at: string, kind: PolicyKind): Statement {
  if ((s.Action === undefined) === (s.NotAction === undefined)) {
    throw malformed(`${at}: a statement must contain exactly one of Action or NotAction.`);
  }
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    throw malformed(`${at}: a statement must not contain both Resource and NotResource.`);
  }
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) {
    throw malformed(`${at}: a statement must not contain both Principal and NotPrincipal.`);
  }
  if (kind === "identity") {
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
      throw malformed(`${at}: Policy document should not specify a principal.`);
    }
    if (s.Resource === undefined && s.NotResource === undefined) {
      throw malformed(`${at}: Policy statement must contain resources.`);
    }
  } else {
    if (s.Principal === undefined && s.NotPrincipal === undefined) {
      throw malformed(`${at}: Missing required field Principal.`);
    }
    if (kind === "trust" && (s.Resource !== undefined || s.NotResource !== undefined)) {
      throw malformed(`${at}: Has prohibited field Resource.`);
    }
  }
  const out: Statement = { effect: s.Effect, conditions: [] };
  if (s.Sid !== undefined) out.sid = s.Sid;
  if (s.Action !== undefined) out.action = actions(s.Action, `${at}.Action`);
  if (s.NotAction !== undefined) out.notAction = actions(s.NotAction, `${at}.NotAction`);
  if (s.Resource !== undefined) out.resource = resources(s.Resource, `${at}.Resource`);
  if (s.NotResource !== undefined) out.notResource = resources(s.NotResource, `${at}.NotResource`);
  if (s.Principal !== undefined) out.principal = principal(s.Principal);
  if (s.NotPrincipal !== undefined) out.notPrincipal = principal(s.NotPrincipal);
  for (const [operatorName, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, v] of Object.entries(keys)) {
      out.conditions.push(clause(operatorName, key, Array.isArray(v) ? v : [v], `${at}.Condition`));
    }
  }
  return out;
}

/**
 * Policy variables exist only in Version 2012-10-17 documents; in older ones `${…}` is plain text, so
 * each `$` becomes the `${$}` escape and the matchers need not know the version.
 */
function literalDollars(s: Statement, version: PolicyDocument["version"]): Statement {
  if (version === "2012-10-17") return s;
  const esc = (v: string) => v.replace(/\$/g, "$${$$}");
  if (s.resource) s.resource = s.resource.map(esc);
  if (s.notResource) s.notResource = s.notResource.map(esc);
  for (const c of s.conditions) if (c.operator.variables) c.values = c.values.map(esc);
  return s;
}

function list(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

function actions(v: string | string[], at: string): string[] {
  const out = list(v);
  for (const a of out) {
    if (a !== "*" && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a)) {
      throw malformed(
        `${at}: '${a}' is not an action: actions are '*' or prefaced by a service, e.g. 'profile:GetDomain' or 'appflow:*'.`,
      );
    }
  }
  return out;
}

function resources(v: string | string[], at: string): string[] {
  const out = list(v);
  for (const r of out) {
    if (r !== "*" && !/^arn:[^:]*:[^:*?]+:./.test(r)) {
      throw malformed(`${at}: Resource ${r} must be in ARN format or "*".`);
    }
  }
  return out;
}

function principal(p: "*" | Partial<Record<string, string | string[]>>): PrincipalSpec {
  if (p === "*") return "*";
  const out: Record<string, string[]> = {};
  for (const [type, names] of Object.entries(p)) if (names !== undefined) out[type] = list(names);
  return out;
}

function clause(
  operatorName: string,
  key: string,
  raw: (string | number | boolean)[],
  at: string,
): ConditionClause {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operatorName);
  const operator = m && conditionOperator(m[2]!);
  if (!m || !operator) {
    throw malformed(`${at}: '${operatorName}' is not a condition operator.`);
  }
  const ifExists = m[3] !== undefined;
  if (operator.type === "null" && (ifExists || m[1] !== undefined)) {
    throw malformed(`${at}: the Null operator takes neither IfExists nor ForAnyValue/ForAllValues.`);
  }
  if (raw.length === 0)
    throw malformed(`${at}.${operatorName}.${key}: a condition must list at least one value.`);
  const values = raw.map(String);
  for (const v of values) checkValue(operator, v, `${at}.${operatorName}.${key}`);
  return {
    operatorName,
    operator,
    set: m[1] as ConditionClause["set"],
    ifExists,
    key,
    keyLower: key.toLowerCase(),
    values,
  };
}

function checkValue(operator: ConditionOperator, v: string, at: string): void {
  const bad =
    (operator.type === "numeric" && parseNumber(v) === undefined) ||
    (operator.type === "date" && parseDate(v) === undefined) ||
    ((operator.type === "bool" || operator.type === "null") && !/^(true|false)$/i.test(v)) ||
    (operator.type === "ip" && parseIpBlock(v) === null);
  if (bad) {
    const want = {
      numeric: "a number",
      date: "an ISO 8601 date or epoch seconds",
      bool: "true or false",
      null: "true or false",
      ip: "an IP address or CIDR block",
    }[operator.type as "numeric"];
    throw malformed(`${at}: '${v}' is not ${want}, as ${operator.name} requires.`);
  }
}

/** Parses with `schema`, turning the first issue into a MALFORMED_POLICY_DOCUMENT naming its place. */
function check<T>(schema: z.ZodType<T>, value: unknown, base: PropertyKey[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = pathText([...base, ...issue.path]);
  const last = issue.path[issue.path.length - 1];
  const message =
    issue.code !== "unrecognized_keys"
      ? issue.message
      : last === "Principal" || last === "NotPrincipal"
        ? `${issue.keys.join(", ")} is not a principal type: a principal type must be AWS, Service, Federated or CanonicalUser`
        : `Has prohibited field ${issue.keys.join(", ")}`;
  throw malformed(where ? `${where}: ${message}.` : `${message}.`);
}

function pathText(path: PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

function malformed(message: string): ProfileflowError {
  return new ProfileflowError("MALFORMED_POLICY_DOCUMENT", message);
}
