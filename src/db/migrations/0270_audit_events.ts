import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * audit_events (issue 16, point 5): one row per authorization decision on a mutating call — who
 * (principal ARN), what (action, resource), the decision (Allow, ExplicitDeny, ImplicitDeny), when
 * (epoch ms) and the request id (the `x-amzn-RequestId` answered; a workflow's own actions carry its
 * workflow id instead). Listed newest first by (at, id), filtered by principal, action, decision and time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("audit_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", t.millis, (c) => c.notNull())
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("principal_arn", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("decision", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_events_at").on("audit_events").columns(["at", "id"]).execute();
  await db.schema
    .createIndex("audit_events_principal")
    .on("audit_events")
    .columns(["principal_arn", "at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_events").execute();
}
