import type { ObjectStore, VersionList } from "../core/index.ts";
import type { SfField } from "./fields.ts";
import { RecordView } from "./record-view.ts";

/**
 * Writes query rows straight to JSON / CSV text, field by field from a reused `RecordView`: the same bytes
 * `JSON.stringify` of the rendered record objects gave, without building those objects per row.
 */

/** The JSON text of one value as a property of a stringified object (undefined already mapped to null). */
function jsonValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v) ?? "null";
}

/** The distinct selected field names in first-seen order (a duplicate in SELECT is one JSON key). */
function distinctNames(fields: readonly SfField[]): string[] {
  return [...new Set(fields.map((f) => f.name))];
}

/**
 * The REST `records` of rows [start, end) of `refs` as JSON texts: `attributes {type, url}` then the
 * selected fields in SELECT order, nulls for missing values.
 */
export function restRecordsJson(
  store: ObjectStore,
  object: string,
  fields: readonly SfField[],
  refs: VersionList,
  start: number,
  end: number,
  apiVersion: string,
): string[] {
  const names = distinctNames(fields);
  const keys = names.map((n) => `,${JSON.stringify(n)}:`);
  const head = `{"attributes":{"type":${JSON.stringify(object)},"url":`;
  const urlBase = `/services/data/v${apiVersion}/sobjects/${object}/`;
  const row = new RecordView(store);
  const out: string[] = [];
  refs.forEach(start, end, (r) => {
    row.at(store.deref(r));
    let s = `${head}${JSON.stringify(urlBase + row.id)}}`;
    for (let k = 0; k < names.length; k++) s += keys[k]! + jsonValue(row.value(names[k]!) ?? null);
    out.push(`${s}}`);
  });
  return out;
}

/** The Bulk 2.0 CSV data lines of rows [start, end) of `refs` (no header, no line endings). */
export function bulkCsvLines(
  store: ObjectStore,
  fields: readonly SfField[],
  refs: VersionList,
  start: number,
  end: number,
  delimiter: string,
): string[] {
  const names = fields.map((f) => f.name);
  const row = new RecordView(store);
  const out: string[] = [];
  refs.forEach(start, end, (r) => {
    row.at(store.deref(r));
    let s = "";
    for (let k = 0; k < names.length; k++) {
      const n = names[k]!;
      const iso = row.isoValue(n);
      if (k > 0) s += delimiter;
      s += iso === undefined ? csvCell(row.value(n)) : `"${iso}"`;
    }
    out.push(s);
  });
  return out;
}

const REST_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

/** Bulk CSV: every value quoted, nulls empty, datetimes in `…Z` form. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && REST_DATETIME.test(s)) s = s.replace("+0000", "Z");
  return s.includes('"') ? `"${s.replace(/"/g, '""')}"` : `"${s}"`;
}
