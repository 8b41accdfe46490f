import type { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";

declare const jsonOf: unique symbol;

/**
 * JSON text stored in one column, named `table.column`. Both dialects hand it back as text (the columns
 * are TEXT on SQLite and `text` on PostgreSQL, so the keys keep the order they were written in), so the
 * schema types the column as this branded string, not as the value: only the column's codec makes one
 * (`stringify`) and only it turns one back into a value (`parse`, which checks the shape).
 */
export type Json<Column extends string> = string & { readonly [jsonOf]: Column };

/** The one way in and out of a JSON column. */
export interface JsonColumn<T, Column extends string> {
  readonly table: string;
  readonly column: string;
  /** The stored value; ProfileflowError STORED_DATA_INVALID (naming table and column) when it is malformed. */
  parse(text: Json<Column>): T;
  stringify(value: T): Json<Column>;
}

/**
 * The codec of the JSON column `table.column`, checked by `schema` on every read. `parse` returns the
 * value as stored (keys in their stored order, members the schema does not name kept), so the schema
 * must only check: no transforms, no defaults. On hot columns give a cheap schema (`z.custom` with a
 * hand-written guard) rather than a deep one.
 */
export function jsonColumn<T, Table extends string, Column extends string>(
  table: Table,
  column: Column,
  schema: z.ZodType<T>,
): JsonColumn<T, `${Table}.${Column}`> {
  const malformed = (problem: string, cause?: unknown) =>
    new ProfileflowError(
      "STORED_DATA_INVALID",
      `${table}.${column} holds a malformed value: ${problem}`,
      { table, column },
      cause === undefined ? undefined : { cause },
    );
  return {
    table,
    column,
    parse(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw malformed(`not JSON (${e instanceof Error ? e.message : String(e)})`, e);
      }
      assertShape(schema, value, malformed);
      return value;
    },
    stringify: (value) => JSON.stringify(value) as Json<`${Table}.${Column}`>,
  };
}

/** Narrows `value` to the schema's type, or throws `fail` of its first issue (message and where). */
function assertShape<T>(
  schema: z.ZodType<T>,
  value: unknown,
  fail: (problem: string, error: z.ZodError) => Error,
): asserts value is T {
  const checked = schema.safeParse(value);
  if (checked.success) return;
  const issue = checked.error.issues[0];
  const at = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  throw fail(`${issue?.message ?? "unexpected shape"}${at}`, checked.error);
}
