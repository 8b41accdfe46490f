import { BlockList, isIP } from "node:net";
import { matchesPattern, matchTokens, type PatternToken, tokenize } from "./pattern.ts";
import type { ContextValues } from "./request-context.ts";

/**
 * The condition operators of the IAM policy language, each as a positive test of one request value
 * against one policy value; a `Not` operator is the negation of its positive twin over all the
 * policy values (the values of a negated operator are NORed).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export type OperatorType = "string" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn" | "null";

export interface ConditionOperator {
  name: string;
  type: OperatorType;
  /** `StringNotEquals`, `NumericNotEquals`, `NotIpAddress`, `ArnNotLike` …: true when no policy value matches. */
  negated: boolean;
  /** Whether `${…}` in the policy values are policy variables (String and ARN operators only). */
  variables: boolean;
  /** The positive test (for a negated operator, the test it negates). */
  test(policyValue: string, requestValue: string, context: ContextValues): boolean;
}

const exact = { wildcards: false, variables: true, ignoreCase: false };
const exactIgnoreCase = { wildcards: false, variables: true, ignoreCase: true };
const like = { wildcards: true, variables: true, ignoreCase: false };

const stringEquals = (p: string, r: string, c: ContextValues) => matchesPattern(p, r, c, exact);
const stringEqualsIgnoreCase = (p: string, r: string, c: ContextValues) =>
  matchesPattern(p, r, c, exactIgnoreCase);
const stringLike = (p: string, r: string, c: ContextValues) => matchesPattern(p, r, c, like);

/** Compares two numbers (or two dates as epoch milliseconds); undefined when either does not parse. */
function compare(parse: (v: string) => number | undefined, cmp: (a: number, b: number) => boolean) {
  return (p: string, r: string) => {
    const a = parse(r);
    const b = parse(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  };
}

/** An integer or decimal number, as the Numeric operators accept. */
export function parseNumber(v: string): number | undefined {
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(v.trim()) ? Number(v) : undefined;
}

/** An ISO 8601 date-time or an epoch time in seconds (AWS: "W3C implementations of the ISO 8601 date formats" or epoch). */
export function parseDate(v: string): number | undefined {
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (!/^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/.test(s))
    return undefined;
  const ms = Date.parse(/T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : s);
  return Number.isNaN(ms) ? undefined : ms;
}

const ipLists = new Map<string, BlockList | null>();

/** A CIDR block or a single address (IPv4 or IPv6), or null when `v` is neither. */
export function parseIpBlock(v: string): BlockList | null {
  const cached = ipLists.get(v);
  if (cached !== undefined) return cached;
  const [address = "", bits] = v.trim().split("/");
  const family = isIP(address);
  let list: BlockList | null = null;
  if (family !== 0) {
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
    if (prefix >= 0 && prefix <= max) {
      list = new BlockList();
      list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
    }
  }
  if (ipLists.size > 1024) ipLists.clear();
  ipLists.set(v, list);
  return list;
}

const inBlock = (p: string, r: string) => {
  const family = isIP(r.trim());
  const list = parseIpBlock(p);
  return family !== 0 && list !== null && list.check(r.trim(), family === 4 ? "ipv4" : "ipv6");
};

/**
 * ArnEquals and ArnLike alike: "Each of the six colon-delimited components of the ARN is checked
 * separately and each can include multi-character match wildcards (*) or single-character match
 * wildcards (?)" (the sixth component keeps any further colons).
 */
function arnLike(p: string, r: string, c: ContextValues): boolean {
  // Variables first (`${aws:PrincipalAccount}` holds a colon), then the six components.
  const tokens = tokenize(p, c, like);
  const ps = tokens && tokenParts(tokens);
  const rs = arnParts(r);
  if (!ps || !rs) return false;
  return ps.every((seg, i) => matchTokens(seg, rs[i]!, false));
}

/** A tokenized ARN pattern cut at the colons of its text into six components (the sixth keeps the rest). */
function tokenParts(tokens: readonly PatternToken[]): PatternToken[][] | undefined {
  const parts: PatternToken[][] = [[]];
  for (const t of tokens) {
    if (typeof t !== "string") {
      parts[parts.length - 1]!.push(t);
      continue;
    }
    t.split(":").forEach((piece, i) => {
      if (i > 0) {
        if (parts.length < 6) parts.push([]);
        else parts[5]!.push(":");
      }
      if (piece !== "") parts[parts.length - 1]!.push(piece);
    });
  }
  return parts.length < 6 ? undefined : parts;
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

const bool = (p: string, r: string) => p.toLowerCase() === r.toLowerCase();

const num = (cmp: (a: number, b: number) => boolean) => compare(parseNumber, cmp);
const date = (cmp: (a: number, b: number) => boolean) => compare(parseDate, cmp);
const eq = (a: number, b: number) => a === b;
const lt = (a: number, b: number) => a < b;
const le = (a: number, b: number) => a <= b;
const gt = (a: number, b: number) => a > b;
const ge = (a: number, b: number) => a >= b;

const table: ConditionOperator[] = [
  op("StringEquals", "string", false, true, stringEquals),
  op("StringNotEquals", "string", true, true, stringEquals),
  op("StringEqualsIgnoreCase", "string", false, true, stringEqualsIgnoreCase),
  op("StringNotEqualsIgnoreCase", "string", true, true, stringEqualsIgnoreCase),
  op("StringLike", "string", false, true, stringLike),
  op("StringNotLike", "string", true, true, stringLike),
  op("NumericEquals", "numeric", false, false, num(eq)),
  op("NumericNotEquals", "numeric", true, false, num(eq)),
  op("NumericLessThan", "numeric", false, false, num(lt)),
  op("NumericLessThanEquals", "numeric", false, false, num(le)),
  op("NumericGreaterThan", "numeric", false, false, num(gt)),
  op("NumericGreaterThanEquals", "numeric", false, false, num(ge)),
  op("DateEquals", "date", false, false, date(eq)),
  op("DateNotEquals", "date", true, false, date(eq)),
  op("DateLessThan", "date", false, false, date(lt)),
  op("DateLessThanEquals", "date", false, false, date(le)),
  op("DateGreaterThan", "date", false, false, date(gt)),
  op("DateGreaterThanEquals", "date", false, false, date(ge)),
  op("Bool", "bool", false, false, bool),
  op("BinaryEquals", "binary", false, false, (p, r) => p === r),
  op("IpAddress", "ip", false, false, inBlock),
  op("NotIpAddress", "ip", true, false, inBlock),
  op("ArnEquals", "arn", false, true, arnLike),
  op("ArnLike", "arn", false, true, arnLike),
  op("ArnNotEquals", "arn", true, true, arnLike),
  op("ArnNotLike", "arn", true, true, arnLike),
  op("Null", "null", false, false, () => false),
];

function op(
  name: string,
  type: OperatorType,
  negated: boolean,
  variables: boolean,
  test: ConditionOperator["test"],
): ConditionOperator {
  return { name, type, negated, variables, test };
}

const byName = new Map(table.map((o) => [o.name, o]));

/** The base operator named exactly `name` (operator names are case-sensitive), or undefined. */
export function conditionOperator(name: string): ConditionOperator | undefined {
  return byName.get(name);
}
