import type { ObjectStore, RecordVersion, SandboxWorld, VersionRef } from "../core/index.ts";
import { SfError, sfErrors } from "./errors.ts";
import { findField, findObject, type SfField, sfDateTime } from "./fields.ts";
import { type Cond, type Lit, parseSoql, type Soql, SoqlError } from "./soql.ts";

/** An executed query: a snapshot of version references plus what to render. */
export interface QueryResult {
  object: string;
  store: ObjectStore;
  fields: SfField[];
  refs: VersionRef[];
  count: boolean;
}

const STAMP_FIELDS = new Set(["SystemModstamp", "LastModifiedDate"]);
const USER_ID = "005Sb0000000001AAA";

/** The full record of a version: generated/overlay fields plus the system fields the store owns. */
export function fullRecord(store: ObjectStore, v: RecordVersion): Record<string, unknown> {
  return {
    ...store.fields(v),
    Id: store.def.idOf(v.index),
    IsDeleted: v.deleted,
    CreatedDate: sfDateTime(v.createdAt),
    CreatedById: USER_ID,
    LastModifiedDate: sfDateTime(v.stamp),
    LastModifiedById: USER_ID,
    SystemModstamp: sfDateTime(v.stamp),
  };
}

/** Parses and runs `soql` against the world at sandbox time `now`; `all` is queryAll (deleted rows too). */
export function runQuery(world: SandboxWorld, soql: string, all: boolean): QueryResult {
  let q: Soql;
  try {
    q = parseSoql(soql);
  } catch (e) {
    if (e instanceof SoqlError)
      throw sfErrors.malformed(`\n${soql}\n^\nERROR at Row:1:Column:1\n${e.message}`);
    throw e;
  }
  const object = findObject(q.object);
  const store = object ? world.store("salesforce", object) : undefined;
  if (!object || !store) throw sfErrors.invalidType(q.object);
  const resolve = (name: string) => {
    const f = findField(object, name);
    if (!f) throw sfErrors.invalidField(name, object);
    return f;
  };
  const fields = q.count ? [] : q.fields.map(resolve);
  const order = q.orderBy.map((o) => ({ ...o, f: resolve(o.field) }));
  if (q.where) checkCond(q.where, resolve);
  const now = world.clock.now();
  const range = stampRange(q.where, resolve);
  const byStamp =
    order.length === 0 ||
    (STAMP_FIELDS.has(order[0]!.f.name) &&
      !order[0]!.desc &&
      (order.length === 1 || (order.length === 2 && order[1]!.f.name === "Id" && !order[1]!.desc)));
  const needsRecord = q.where !== undefined;
  const refs: VersionRef[] = [];
  const timeoutRows = world.knobs.queryTimeoutRows;
  const consider = (v: RecordVersion) => {
    if (needsRecord && !evalCond(q.where!, fullRecord(store, v), resolve)) return;
    refs.push(store.ref(v));
    if (timeoutRows > 0 && refs.length > timeoutRows) throw sfErrors.queryTimeout();
  };
  if (!byStamp && order.length === 1 && order[0]!.f.name === "Id" && !order[0]!.desc) {
    for (let i = 0; i < store.size; i++) {
      const v = store.current(i, now);
      if (v && (all || !v.deleted) && v.stamp >= range.from && v.stamp < range.to) consider(v);
    }
  } else {
    for (const v of store.scan({ from: range.from, to: range.to, now, includeDeleted: all })) consider(v);
    if (!byStamp) sortRefs(store, refs, order);
  }
  const start = q.offset ?? 0;
  const sliced =
    start > 0 || q.limit !== undefined
      ? refs.slice(start, q.limit === undefined ? undefined : start + q.limit)
      : refs;
  return { object, store, fields, refs: sliced, count: q.count };
}

function sortRefs(
  store: ObjectStore,
  refs: VersionRef[],
  order: Array<{ f: SfField; desc: boolean; nullsLast: boolean }>,
) {
  const keyed = refs.map((r) => ({ r, rec: fullRecord(store, store.deref(r)) }));
  keyed.sort((a, b) => {
    for (const o of order) {
      const x = a.rec[o.f.name];
      const y = b.rec[o.f.name];
      if (x === y) continue;
      if (x === null || x === undefined) return o.nullsLast ? 1 : -1;
      if (y === null || y === undefined) return o.nullsLast ? -1 : 1;
      const c = compare(o.f, x, y);
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
  for (let i = 0; i < refs.length; i++) refs[i] = keyed[i]!.r;
}

function checkCond(c: Cond, resolve: (n: string) => SfField): void {
  if ("items" in c) {
    for (const x of c.items) checkCond(x, resolve);
  } else if (c.kind === "not") checkCond(c.item, resolve);
  else {
    const f = resolve(c.field);
    const lits = c.kind === "in" ? c.values : c.kind === "cmp" ? [c.value] : [];
    for (const l of lits) {
      if (f.type === "datetime" && l.type !== "datetime" && l.type !== "null") {
        throw new SfError(
          400,
          "INVALID_FIELD",
          `value of filter criterion for field '${f.name}' must be of type dateTime and should not be enclosed in quotes`,
        );
      }
    }
  }
}

/** The [from, to) stamp range implied by top-level AND conditions on SystemModstamp/LastModifiedDate. */
function stampRange(where: Cond | undefined, resolve: (n: string) => SfField): { from: number; to: number } {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  const conj = where === undefined ? [] : where.kind === "and" ? where.items : [where];
  for (const c of conj) {
    if (c.kind !== "cmp" || c.value.type !== "datetime" || !STAMP_FIELDS.has(resolve(c.field).name)) continue;
    const ms = c.value.ms;
    if (c.op === ">=") from = Math.max(from, ms);
    else if (c.op === ">") from = Math.max(from, ms + 1);
    else if (c.op === "<") to = Math.min(to, ms);
    else if (c.op === "<=") to = Math.min(to, ms + 1);
    else if (c.op === "=") {
      from = Math.max(from, ms);
      to = Math.min(to, ms + 1);
    }
  }
  return { from, to };
}

function litValue(f: SfField, l: Lit): unknown {
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
  void f;
}

function compare(f: SfField, x: unknown, y: unknown): number {
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

function evalCond(c: Cond, rec: Record<string, unknown>, resolve: (n: string) => SfField): boolean {
  switch (c.kind) {
    case "and":
      return c.items.every((x) => evalCond(x, rec, resolve));
    case "or":
      return c.items.some((x) => evalCond(x, rec, resolve));
    case "not":
      return !evalCond(c.item, rec, resolve);
    case "like": {
      const f = resolve(c.field);
      const v = rec[f.name];
      if (v === null || v === undefined) return false;
      const re = new RegExp(
        `^${c.pattern
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(/%/g, ".*")
          .replace(/_/g, ".")}$`,
        "is",
      );
      return re.test(String(v));
    }
    case "in": {
      const f = resolve(c.field);
      const v = rec[f.name] ?? null;
      const hit = c.values.some((l) =>
        v === null ? l.type === "null" : l.type !== "null" && compare(f, v, litValue(f, l)) === 0,
      );
      return c.negate ? !hit : hit;
    }
    case "cmp": {
      const f = resolve(c.field);
      const v = rec[f.name] ?? null;
      const lit = litValue(f, c.value);
      if (v === null || lit === null) {
        if (c.op === "=") return v === lit;
        if (c.op === "!=") return v !== lit;
        return false;
      }
      const d = compare(f, v, lit);
      switch (c.op) {
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
    }
  }
}

/** Renders a version with only the selected fields, in SELECT order, as REST query results do. */
export function renderRecord(
  result: QueryResult,
  v: RecordVersion,
  apiVersion: string,
): Record<string, unknown> {
  const full = fullRecord(result.store, v);
  const out: Record<string, unknown> = {
    attributes: {
      type: result.object,
      url: `/services/data/v${apiVersion}/sobjects/${result.object}/${String(full.Id)}`,
    },
  };
  for (const f of result.fields) out[f.name] = full[f.name] ?? null;
  return out;
}
