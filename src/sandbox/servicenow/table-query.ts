import {
  type EncodedQuery,
  type FieldKind,
  matchesQuery,
  orderComparator,
  parseEncodedQuery,
} from "./encoded-query.ts";
import { parseGlide } from "./glide-time.ts";
import type { Row, StampBounds, TableSpec } from "./tables.ts";

/** The rows a Table API read selects, before paging: all matches in order, and how many. */
export interface Selection {
  rows: Row[];
  total: number;
}

/**
 * Runs `sysparm_query` against a table: narrows the store scan by the stamp bounds the query implies, then
 * applies the exact encoded query and its ORDERBY terms (a stable sort, so ties keep (stamp, sys_id) order).
 */
export function selectRows(table: TableSpec, sysparmQuery: string, now: number): Selection {
  const query = parseEncodedQuery(sysparmQuery);
  const kindOf = (f: string): FieldKind | undefined => table.kinds[f];
  const rows = table
    .rows(now, stampBounds(query, table.stampField))
    .filter((r) => matchesQuery(query, r, kindOf));
  if (query.orderBy.length > 0) rows.sort(orderComparator(query.orderBy, kindOf));
  return { rows, total: rows.length };
}

/**
 * The widest `[from, to)` stamp range any OR-group of the query can match on `field`, or no bound at all.
 * Loose by up to a second on each side; the exact comparison happens afterwards on the rendered strings.
 */
export function stampBounds(query: EncodedQuery, field: string): StampBounds {
  if (query.groups.length === 0) return {};
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const clauses of query.groups) {
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    for (const alternatives of clauses) {
      const c = alternatives[0];
      if (alternatives.length !== 1 || !c || c.field !== field) continue;
      const t = parseGlide(c.value);
      if (t === undefined) continue;
      if (c.op === ">=" || c.op === ">" || c.op === "=") lo = Math.max(lo, t);
      if (c.op === "<" || c.op === "<=" || c.op === "=") hi = Math.min(hi, t + 1000);
    }
    from = Math.min(from, lo);
    to = Math.max(to, hi);
  }
  const out: StampBounds = {};
  if (Number.isFinite(from)) out.from = from;
  if (Number.isFinite(to)) out.to = to;
  return out;
}

/** Rendering options of a read. */
export interface RenderOptions {
  /** `sysparm_fields`, or undefined for every field. */
  fields: string[] | undefined;
  excludeReferenceLink: boolean;
  /** The instance URL references link to. */
  instanceUrl: string;
}

/** Reads `sysparm_fields` (comma list, blanks dropped) and `sysparm_exclude_reference_link`. */
export function readRenderOptions(params: URLSearchParams, instanceUrl: string): RenderOptions {
  const raw = params.get("sysparm_fields");
  const fields = raw
    ? raw
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;
  return {
    fields: fields && fields.length > 0 ? fields : undefined,
    excludeReferenceLink: params.get("sysparm_exclude_reference_link") === "true",
    instanceUrl,
  };
}

/**
 * A row as the Table API returns it with `sysparm_display_value=false`: the selected fields (unknown ones
 * dropped), strings everywhere, non-empty references as `{link, value}` unless links are excluded.
 */
export function renderRow(table: TableSpec, row: Row, o: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of o.fields ?? Object.keys(table.kinds)) {
    if (table.kinds[f] === undefined) continue;
    const value = row[f] ?? "";
    const target = table.references[f];
    out[f] =
      target && value !== "" && !o.excludeReferenceLink
        ? { link: `${o.instanceUrl}/api/now/table/${target}/${value}`, value }
        : value;
  }
  return out;
}
