import type { SfField } from "./fields.ts";
import type { RecordView } from "./record-view.ts";
import type { Cond, Lit } from "./soql.ts";

/** The fields whose value is the version's stamp. */
export const STAMP_FIELDS = new Set(["SystemModstamp", "LastModifiedDate"]);

/** A compiled WHERE condition over a reusable row view. */
export type RowPredicate = (row: RecordView) => boolean;

/** A WHERE split into a [from, to) stamp range and what the range does not already decide. */
export interface SplitWhere {
  from: number;
  to: number;
  /** The conditions left to test per row, or undefined when the range alone answers the WHERE. */
  residual: Cond | undefined;
}

/**
 * Pushes top-level AND comparisons of SystemModstamp/LastModifiedDate with datetime literals down to a stamp
 * range. Stamps are whole milliseconds and those fields render the stamp exactly, so `> t` is `>= t + 1` and
 * `<= t` is `< t + 1`: the range keeps exactly the rows those conditions keep, and they can be dropped.
 */
export function splitWhere(where: Cond | undefined, resolve: (n: string) => SfField): SplitWhere {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  const conj = where === undefined ? [] : where.kind === "and" ? where.items : [where];
  const rest: Cond[] = [];
  for (const c of conj) {
    if (c.kind !== "cmp" || c.value.type !== "datetime" || !STAMP_FIELDS.has(resolve(c.field).name)) {
      rest.push(c);
      continue;
    }
    const ms = c.value.ms;
    if (c.op === ">=") from = Math.max(from, ms);
    else if (c.op === ">") from = Math.max(from, ms + 1);
    else if (c.op === "<") to = Math.min(to, ms);
    else if (c.op === "<=") to = Math.min(to, ms + 1);
    else if (c.op === "=") {
      from = Math.max(from, ms);
      to = Math.min(to, ms + 1);
    } else rest.push(c);
  }
  const residual =
    rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: "and" as const, items: rest };
  return { from, to, residual };
}

/** Compiles `c` once (fields resolved, literals converted, LIKE patterns built) into a per-row test. */
export function compileCond(c: Cond, resolve: (n: string) => SfField): RowPredicate {
  switch (c.kind) {
    case "and": {
      const items = c.items.map((x) => compileCond(x, resolve));
      return (row) => {
        for (const p of items) if (!p(row)) return false;
        return true;
      };
    }
    case "or": {
      const items = c.items.map((x) => compileCond(x, resolve));
      return (row) => {
        for (const p of items) if (p(row)) return true;
        return false;
      };
    }
    case "not": {
      const item = compileCond(c.item, resolve);
      return (row) => !item(row);
    }
    case "like": {
      const name = resolve(c.field).name;
      const re = new RegExp(
        `^${c.pattern
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(/%/g, ".*")
          .replace(/_/g, ".")}$`,
        "is",
      );
      return (row) => {
        const v = row.value(name);
        return v !== null && v !== undefined && re.test(String(v));
      };
    }
    case "in": {
      const f = resolve(c.field);
      const lits = c.values.map((l) => ({ isNull: l.type === "null", value: litValue(l) }));
      const negate = c.negate;
      return (row) => {
        const v = fieldValue(row, f) ?? null;
        let hit = false;
        for (const l of lits) {
          if (v === null ? l.isNull : !l.isNull && compare(f, v, l.value) === 0) {
            hit = true;
            break;
          }
        }
        return negate ? !hit : hit;
      };
    }
    case "cmp": {
      const f = resolve(c.field);
      const lit = litValue(c.value);
      const op = c.op;
      return (row) => {
        const v = fieldValue(row, f) ?? null;
        if (v === null || lit === null) {
          if (op === "=") return v === lit;
          if (op === "!=") return v !== lit;
          return false;
        }
        const d = compare(f, v, lit);
        switch (op) {
          case "=":
            return d === 0;
          case "!=":
            return d !== 0;
          case "<":
            return d < 0;
          case "<=":
            return d <= 0;
          case ">":
            return d > 0;
          case ">=":
            return d >= 0;
        }
      };
    }
  }
}

function fieldValue(row: RecordView, f: SfField): unknown {
  return f.type === "datetime" ? row.compareValue(f.name) : row.value(f.name);
}

function litValue(l: Lit): unknown {
  switch (l.type) {
    case "datetime":
      return l.ms;
    case "date":
      return l.s;
    case "string":
      return l.s;
    case "number":
      return l.n;
    case "bool":
      return l.b;
    case "null":
      return null;
  }
}

/** SOQL comparison: datetimes by instant, ids by their 15-character form, strings case-insensitively. */
export function compare(f: SfField, x: unknown, y: unknown): number {
  if (f.type === "datetime") {
    const a = typeof x === "number" ? x : Date.parse(String(x).replace("+0000", "Z"));
    const b = typeof y === "number" ? y : Date.parse(String(y).replace("+0000", "Z"));
    return a - b;
  }
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (typeof x === "boolean" || typeof y === "boolean") return Number(x) - Number(y);
  let a = String(x);
  let b = String(y);
  if (f.type === "id" || f.type === "reference") {
    // 15-character ids match their 18-character form.
    if (a.length === 15 || b.length === 15) [a, b] = [a.slice(0, 15), b.slice(0, 15)];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  a = a.toLowerCase();
  b = b.toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}
