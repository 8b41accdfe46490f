import { type Kysely, PostgresAdapter } from "kysely";

export type DialectName = "sqlite" | "postgres";

/** Which SQL dialect a Kysely instance speaks; migrations use it to pick column types. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/**
 * Column types that differ between the dialects. Timestamps are epoch milliseconds everywhere;
 * booleans are 0/1 integers on both (better-sqlite3 cannot bind JS booleans).
 */
export function columnTypes(dialect: DialectName) {
  return dialect === "postgres"
    ? ({ millis: "bigint", json: "jsonb", blob: "bytea", bool: "integer", serial: "bigserial" } as const)
    : ({ millis: "integer", json: "text", blob: "blob", bool: "integer", serial: "integer" } as const);
}
