import {
  type ObjectStore,
  type RecordVersion,
  type SandboxWorld,
  VersionList,
  type VersionRef,
} from "../core/index.ts";
import { SfError, sfErrors } from "./errors.ts";
import { findField, findObject, type SfField } from "./fields.ts";
import { fullRecord, RecordView } from "./record-view.ts";
import { type Cond, parseSoql, type Soql, SoqlError } from "./soql.ts";
import { compare, compileCond, STAMP_FIELDS, splitWhere } from "./soql-filter.ts";

export { fullRecord } from "./record-view.ts";

/** An executed query: a compact snapshot of version references plus what to render. */
export interface QueryResult {
  object: string;
  store: ObjectStore;
  fields: SfField[];
  refs: VersionList;
  count: boolean;
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
  // The stamp conditions become an index range; only what they leave open is tested per row.
  const { from, to, residual } = splitWhere(q.where, resolve);
  const test = residual ? compileCond(residual, resolve) : undefined;
  const row = new RecordView(store);
  const keep = test ? (v: RecordVersion) => test(row.at(v)) : undefined;
  const byStamp =
    order.length === 0 ||
    (STAMP_FIELDS.has(order[0]!.f.name) &&
      !order[0]!.desc &&
      (order.length === 1 || (order.length === 2 && order[1]!.f.name === "Id" && !order[1]!.desc)));
  const timeoutRows = world.knobs.queryTimeoutRows;
  const start = q.offset ?? 0;
  let refs: VersionList;
  if (!byStamp && order.length === 1 && order[0]!.f.name === "Id" && !order[0]!.desc) {
    refs = new VersionList();
    for (let i = 0; i < store.size; i++) {
      const v = store.current(i, now);
      if (v && (all || !v.deleted) && v.stamp >= from && v.stamp < to && (!keep || keep(v))) {
        refs.push(store.ref(v));
        if (timeoutRows > 0 && refs.length > timeoutRows) throw sfErrors.queryTimeout();
      }
    }
  } else {
    // In stamp order the rows past OFFSET + LIMIT are never served: stop there (but late enough that the
    // timeout knob still sees every row it would have counted).
    let max = Number.POSITIVE_INFINITY;
    if (byStamp && q.limit !== undefined) {
      max = start + q.limit;
      if (timeoutRows > 0) max = Math.max(max, timeoutRows + 1);
    }
    refs = store.snapshot({ from, to, now, includeDeleted: all }, keep, max);
    if (timeoutRows > 0 && refs.length > timeoutRows) throw sfErrors.queryTimeout();
    if (!byStamp) refs = VersionList.of(sortRefs(store, refs.toArray(), order));
  }
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
): VersionRef[] {
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
  return keyed.map((k) => k.r);
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
