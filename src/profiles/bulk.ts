import { type Insertable, type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";

// Bound parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535 (fallback path only).
const MAX_PARAMS: Record<DialectName, number> = { sqlite: 30_000, postgres: 60_000 };

/** What to do when an inserted row collides with a stored one. */
export interface OnConflict {
  columns: readonly string[];
  /** Columns taken from the new row; the stored row is kept when empty. */
  update: readonly string[];
}

/**
 * The raw SQLite connection under a Kysely instance (better-sqlite3's `Database`, structurally): SQLite
 * has one connection, so statements run on it directly belong to whatever transaction Kysely holds open.
 */
export interface RawSqlite {
  prepare(source: string): { run(params: unknown[]): unknown };
}

/** Prepared inserts per raw connection, by table, columns and conflict clause: compiled once. */
const preparedInserts = new WeakMap<RawSqlite, Map<string, { run(params: unknown[]): unknown }>>();

/**
 * Inserts rows (all with the first row's columns). With the raw SQLite connection: one prepared
 * statement, compiled once per connection, run per row (better-sqlite3 binds values without building
 * any text; faster in process than the JSON statements below, see docs/benchmarks.md). Otherwise
 * statements whose only parameter is the rows as JSON text of at most MAX_JSON_CHARS (jsonChunks),
 * expanded by the database (`json_each` on SQLite, `json_populate_recordset` on PostgreSQL): thousands of
 * rows cost a few tiny queries to compile and bind instead of a statement with tens of thousands of
 * placeholders. The rows of one call must not share a conflict key: PostgreSQL refuses that within one
 * statement, while across two parts the later row would win.
 */
export async function insertMany<T extends keyof Database & string>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: T,
  rows: Insertable<Database[T]>[],
  onConflict?: OnConflict,
  raw?: RawSqlite,
): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const records = rows as unknown as Record<string, unknown>[];
  if (raw && dialect === "sqlite") return insertPrepared(raw, table, cols, records, onConflict);
  if (!records.every(wellFormed)) return insertBound(db, dialect, table, rows, onConflict);
  const tbl = sql.raw(ident(table));
  const names = sql.raw(cols.map(ident).join(", "));
  const conflict = sql.raw(conflictClause(onConflict));
  const extract = sql.raw(cols.map((_, i) => `value->>${i}`).join(", "));
  for (const json of jsonChunks(records, (r) => (dialect === "sqlite" ? cols.map((c) => r[c] ?? null) : r))) {
    if (dialect === "sqlite") {
      // `where true` keeps SQLite from reading the upsert clause as part of a join.
      await sql`insert into ${tbl} (${names}) select ${extract} from json_each(${json}) where true${conflict}`.execute(
        db,
      );
    } else {
      await sql`insert into ${tbl} (${names}) select ${names} from json_populate_recordset(null::${tbl}, ${json}::json)${conflict}`.execute(
        db,
      );
    }
  }
}

/**
 * The most JSON text, in characters (up to 3 bytes each in UTF-8), one statement of insertMany carries,
 * unless a single row is longer. A group of 10,000 objects was ~12 MB of payloads; sent as one parameter
 * it was held three times at once (the text, its UTF-8 copy on the socket, the driver's write buffer,
 * which keeps its largest size), ~40 MB of the server's peak memory on PostgreSQL. In parts of ≤ 1 M
 * characters that is a few MB, for one round trip more per part (docs/benchmarks.md, issue 18 point 2).
 */
export const MAX_JSON_CHARS = 1 << 20;

/**
 * The rows as JSON arrays of at most `maxChars` characters each, in order, each built when the previous
 * one has been used: one part alive at a time. Rows are counted into a part by the length of their JSON
 * (strings, escapes and names measured without building any text; nested values and numbers are
 * overestimated, never under), then the part is serialized with one JSON.stringify, which over a slice
 * costs no more than over the whole (bench/memory-parts.ts). A row longer
 * than the bound is a part of its own.
 */
export function* jsonChunks<R>(
  rows: readonly R[],
  shape: (row: R) => unknown,
  maxChars = MAX_JSON_CHARS,
): Generator<string> {
  let part: unknown[] = [];
  let chars = 2;
  for (const row of rows) {
    const shaped = shape(row);
    const size = jsonLength(shaped) + 1;
    if (part.length > 0 && chars + size > maxChars) {
      yield JSON.stringify(part);
      part = [];
      chars = 2;
    }
    part.push(shaped);
    chars += size;
  }
  if (part.length > 0) yield JSON.stringify(part);
}

/** The length of `value`'s JSON text (escapes counted); flat rows are measured without building it. */
function jsonLength(value: unknown): number {
  if (value === null || value === undefined || typeof value !== "object") return scalarLength(value);
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) n += scalarLength(v) + 1;
  } else {
    for (const [k, v] of Object.entries(value)) n += stringLength(k) + 2 + scalarLength(v);
  }
  return n;
}

function scalarLength(v: unknown): number {
  if (typeof v === "string") return stringLength(v);
  if (v !== null && typeof v === "object") return JSON.stringify(v).length;
  // The longest a number's text can be; null, booleans and absent values are shorter.
  return 24;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** The length of a string's JSON text, quotes and escapes included, exactly as JSON.stringify writes it. */
function stringLength(s: string): number {
  if (!NEEDS_ESCAPE.test(s)) return s.length + 2;
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) n += 1;
    else if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
  }
  return n;
}

/**
 * `column IN values`, with the values bound as ONE parameter whatever their number (no chunking,
 * nothing to compile per value). PostgreSQL: `column = any($1::text[])`, which the planner answers with
 * index probes and no join — a join against the unnested values (`in (select unnest(...))`) could be
 * planned as a nested loop rescanning them per stored row while the table's statistics are stale (a
 * backfill filling it before autovacuum analyzes), cost growing with the table. SQLite: `json_each`.
 */
export function inValues(
  dialect: DialectName,
  column: string,
  values: readonly string[],
): RawBuilder<SqlBool> {
  return inEncodedValues(dialect, column, encodeValues(dialect, values));
}

/** The values as inEncodedValues takes them: one parameter (JSON text on SQLite, a text[] on PostgreSQL). */
export function encodeValues(dialect: DialectName, values: readonly string[]): unknown {
  return dialect === "sqlite" ? JSON.stringify(values) : values;
}

/** inValues over a parameter encodeValues made (or a CompiledOnce placeholder for one). */
export function inEncodedValues(dialect: DialectName, column: string, encoded: unknown): RawBuilder<SqlBool> {
  return dialect === "sqlite"
    ? sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${encoded}))`
    : sql<SqlBool>`${sql.ref(column)} = any(${encoded}::text[])`;
}

/** Splits a list for `in (...)` clauses that stay under the parameter limit. */
export function chunks<T>(items: readonly T[], size = 5_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Quotes a table or column name of our own schema (never user input). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
}

// String.prototype.isWellFormed is Node 20's (ES2024), newer than the ES2023 lib this project types against.
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

/**
 * False when a string value is not well-formed UTF-16 (a lone surrogate): JSON.stringify escapes it,
 * and the databases' JSON parsers reject (PostgreSQL) or mangle (SQLite) the escape, while a bound
 * string parameter is stored as before. Such rows take the slow path. Cheap: one-byte strings (almost
 * all) cannot hold a surrogate, so the check is O(1) for them.
 */
export function wellFormed(row: object): boolean {
  for (const v of Object.values(row)) if (typeof v === "string" && !isWellFormed.call(v)) return false;
  return true;
}

function conflictClause(onConflict: OnConflict | undefined): string {
  if (!onConflict) return "";
  const target = onConflict.columns.map(ident).join(", ");
  if (onConflict.update.length === 0) return ` on conflict (${target}) do nothing`;
  const set = onConflict.update.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(", ");
  return ` on conflict (${target}) do update set ${set}`;
}

function insertPrepared(
  raw: RawSqlite,
  table: string,
  cols: readonly string[],
  records: readonly Record<string, unknown>[],
  onConflict: OnConflict | undefined,
): void {
  let cache = preparedInserts.get(raw);
  if (!cache) {
    cache = new Map();
    preparedInserts.set(raw, cache);
  }
  const conflict = conflictClause(onConflict);
  const key = `${table}\u0000${cols.join(",")}\u0000${conflict}`;
  let statement = cache.get(key);
  if (!statement) {
    const placeholders = cols.map(() => "?").join(", ");
    statement = raw.prepare(
      `insert into ${ident(table)} (${cols.map(ident).join(", ")}) values (${placeholders})${conflict}`,
    );
    cache.set(key, statement);
  }
  const values: unknown[] = new Array(cols.length);
  for (const r of records) {
    for (let i = 0; i < cols.length; i++) values[i] = r[cols[i]!] ?? null;
    statement.run(values);
  }
}

/** Multi-row statements with one placeholder per value (rows JSON cannot carry faithfully). */
async function insertBound<T extends keyof Database & string>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: T,
  rows: Insertable<Database[T]>[],
  onConflict?: OnConflict,
): Promise<void> {
  const cols = Object.keys(rows[0] as object).length;
  const size = Math.max(1, Math.floor(MAX_PARAMS[dialect] / cols));
  for (let i = 0; i < rows.length; i += size) {
    const part = rows.slice(i, i + size) as Insertable<Database[keyof Database]>[];
    // Kysely cannot narrow the insert type of a generic table name; the rows were typed by the caller.
    let q = (db as unknown as Kysely<Record<string, Record<string, unknown>>>).insertInto(table).values(part);
    if (onConflict) {
      q = q.onConflict((oc) => {
        const c = oc.columns(onConflict.columns as string[]);
        if (onConflict.update.length === 0) return c.doNothing();
        // The generic table's update type is not nameable here; the columns were checked by the caller.
        const set = Object.fromEntries(onConflict.update.map((u) => [u, sql.ref(`excluded.${u}`)]));
        return c.doUpdateSet(set as never);
      });
    }
    await q.execute();
  }
}
