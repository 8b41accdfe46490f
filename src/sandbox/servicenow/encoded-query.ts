/**
 * ServiceNow encoded queries (`sysparm_query`): `field<op>value` terms joined by `^` (AND), `^OR` (OR with the
 * previous term, binding tighter than AND), `^NQ` (a new OR-ed group), and `ORDERBY` / `ORDERBYDESC` terms.
 * Like the real platform, a term on an unknown field is silently dropped, which widens the result.
 */

/** The operators the simulator understands, longest first so that `>=` wins over `>`. */
const operators = [
  "ISNOTEMPTY",
  "ISEMPTY",
  "NOT LIKE",
  "NOT IN",
  "STARTSWITH",
  "ENDSWITH",
  "LIKE",
  "IN",
  "!=",
  ">=",
  "<=",
  ">",
  "<",
  "=",
] as const;

export type Operator = (typeof operators)[number];

/** One `field<op>value` term. */
export interface Condition {
  field: string;
  op: Operator;
  value: string;
}

/** One ORDERBY term. */
export interface OrderTerm {
  field: string;
  desc: boolean;
}

/** A parsed query: OR of groups; each group is an AND of clauses; each clause is an OR of conditions. */
export interface EncodedQuery {
  groups: Condition[][][];
  orderBy: OrderTerm[];
}

/** How a field's values compare: integers numerically, everything else (dates included) as text. */
export type FieldKind = "string" | "integer" | "boolean" | "glide_date_time" | "reference";

/** Parses an encoded query; terms it cannot read are dropped, as the platform does. */
export function parseEncodedQuery(query: string): EncodedQuery {
  const groups: Condition[][][] = [];
  const orderBy: OrderTerm[] = [];
  // `^^` is an escaped caret inside a value; protect it before splitting.
  const guarded = query.replaceAll("^^", "\u0000");
  for (const groupText of guarded.split("^NQ")) {
    const clauses: Condition[][] = [];
    for (const raw of groupText.split("^")) {
      const term = raw.replaceAll("\u0000", "^");
      if (term === "" || term === "EQ") continue;
      if (term.startsWith("ORDERBYDESC")) {
        orderBy.push({ field: term.slice(11), desc: true });
        continue;
      }
      if (term.startsWith("ORDERBY")) {
        orderBy.push({ field: term.slice(7), desc: false });
        continue;
      }
      const isOr = term.startsWith("OR") && clauses.length > 0;
      const condition = parseCondition(isOr ? term.slice(2) : term);
      if (!condition) continue;
      if (isOr) clauses[clauses.length - 1]!.push(condition);
      else clauses.push([condition]);
    }
    groups.push(clauses);
  }
  return { groups: groups.filter((g) => g.length > 0), orderBy };
}

function parseCondition(term: string): Condition | undefined {
  const m = /^([a-z0-9_]+(?:\.[a-z0-9_]+)*)/.exec(term);
  if (!m) return undefined;
  const field = m[1]!;
  const rest = term.slice(field.length);
  const op = operators.find((o) => rest.startsWith(o));
  if (!op) return undefined;
  return { field, op, value: rest.slice(op.length) };
}

/**
 * True when `record` satisfies `query`. `kindOf` returns undefined for fields the table does not have;
 * conditions on those are ignored, so a typo widens the result instead of failing.
 */
export function matchesQuery(
  query: EncodedQuery,
  record: Readonly<Record<string, string>>,
  kindOf: (field: string) => FieldKind | undefined,
): boolean {
  if (query.groups.length === 0) return true;
  return query.groups.some((clauses) =>
    clauses.every((alternatives) => {
      const known = alternatives.filter((c) => kindOf(c.field) !== undefined);
      if (known.length === 0) return true;
      return known.some((c) => test(c, record[c.field] ?? "", kindOf(c.field)!));
    }),
  );
}

function test(c: Condition, actual: string, kind: FieldKind): boolean {
  switch (c.op) {
    case "ISEMPTY":
      return actual === "";
    case "ISNOTEMPTY":
      return actual !== "";
    case "IN":
      return c.value.split(",").includes(actual);
    case "NOT IN":
      return !c.value.split(",").includes(actual);
    case "STARTSWITH":
      return actual.toLowerCase().startsWith(c.value.toLowerCase());
    case "ENDSWITH":
      return actual.toLowerCase().endsWith(c.value.toLowerCase());
    case "LIKE":
      return actual.toLowerCase().includes(c.value.toLowerCase());
    case "NOT LIKE":
      return !actual.toLowerCase().includes(c.value.toLowerCase());
    case "=":
      return actual === c.value;
    case "!=":
      return actual !== c.value;
    default: {
      // Empty values never satisfy a range comparison (SQL NULL semantics).
      if (actual === "") return false;
      const d = compareValues(actual, c.value, kind);
      if (c.op === ">") return d > 0;
      if (c.op === ">=") return d >= 0;
      if (c.op === "<") return d < 0;
      return d <= 0;
    }
  }
}

/** Compares two raw values of one field kind; text compares by code unit, as the platform's collation does for ids. */
export function compareValues(a: string, b: string, kind: FieldKind): number {
  if (kind === "integer") {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator for the query's ORDERBY terms (unknown fields ignored); a stable sort keeps ties in store order. */
export function orderComparator(
  orderBy: readonly OrderTerm[],
  kindOf: (field: string) => FieldKind | undefined,
): (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => number {
  const terms = orderBy.filter((t) => kindOf(t.field) !== undefined);
  return (a, b) => {
    for (const t of terms) {
      const kind = kindOf(t.field)!;
      const d = compareValues(a[t.field] ?? "", b[t.field] ?? "", kind);
      if (d !== 0) return t.desc ? -d : d;
    }
    return 0;
  };
}
