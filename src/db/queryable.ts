import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Something queries run on: the database or an open transaction. Stores take it as their FIRST,
 * required parameter, so a call inside a transaction cannot forget the transaction (on SQLite the one
 * connection is held by the transaction: a query on the bare database would wait forever).
 */
export type Queryable = Kysely<Database>;
