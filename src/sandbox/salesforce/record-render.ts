import type { ByteSink, ObjectStore, VersionList } from "../core/index.ts";
import type { SfField } from "./fields.ts";
import { RecordView } from "./record-view.ts";

/**
 * Renders query rows field by field from a reused `RecordView` into a `ByteSink`, with no full-record object
 * per row and no page-sized string. Each row is one joined array of pieces: concatenating ~30 pieces built deep
 * rope strings that cost more to flatten, and per-row objects for JSON.stringify were slower still.
 */

/** The JSON text of one value as a property of a stringified object (undefined already mapped to null). */
function jsonValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v) ?? "null";
}

/**
 * Writes the REST `records` of rows [start, end) of `refs`, comma-separated — the bytes JSON.stringify gave
 * for `{attributes: {type, url}, ...selected fields}`: SELECT order, a repeated field once, nulls for missing.
 */
export function writeRestRecords(
  sink: ByteSink,
  store: ObjectStore,
  object: string,
  fields: readonly SfField[],
  refs: VersionList,
  start: number,
  end: number,
  apiVersion: string,
): void {
  const names = [...new Set(fields.map((f) => f.name))];
  const keys = names.map((n) => `,${JSON.stringify(n)}:`);
  const head = `{"attributes":{"type":${JSON.stringify(object)},"url":`;
  const urlBase = `/services/data/v${apiVersion}/sobjects/${object}/`;
  const row = new RecordView(store);
  const parts: string[] = new Array(names.length + 2);
  parts[names.length + 1] = "}";
  let first = true;
  refs.forEach(start, end, (r) => {
    row.at(store.deref(r));
    parts[0] = `${first ? "" : ","}${head}${JSON.stringify(urlBase + row.id)}}`;
    first = false;
    for (let k = 0; k < names.length; k++) parts[k + 1] = keys[k]! + jsonValue(row.value(names[k]!) ?? null);
    sink.write(parts.join(""));
  });
}

/** Writes the Bulk 2.0 CSV data lines of rows [start, end) of `refs`, each followed by `eol`. */
export function writeCsvLines(
  sink: ByteSink,
  store: ObjectStore,
  fields: readonly SfField[],
  refs: VersionList,
  start: number,
  end: number,
  delimiter: string,
  eol: string,
): void {
  const names = fields.map((f) => f.name);
  const row = new RecordView(store);
  const cells: string[] = new Array(names.length);
  refs.forEach(start, end, (r) => {
    row.at(store.deref(r));
    for (let k = 0; k < names.length; k++) {
      const n = names[k]!;
      const iso = row.isoValue(n);
      cells[k] = iso === undefined ? csvCell(row.value(n)) : `"${iso}"`;
    }
    sink.write(cells.join(delimiter) + eol);
  });
}

const REST_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

/** Bulk CSV: every value quoted, nulls empty, datetimes in `…Z` form. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && REST_DATETIME.test(s)) s = s.replace("+0000", "Z");
  return s.includes('"') ? `"${s.replace(/"/g, '""')}"` : `"${s}"`;
}
