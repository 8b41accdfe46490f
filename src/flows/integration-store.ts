import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Database } from "../db/schema.ts";

export interface Integration {
  domainName: string;
  uri: string;
  objectTypeName: string;
  flowName: string | undefined;
  roleArn: string | undefined;
  workflowId: string | undefined;
  hidden: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Integrations of each domain: which flow feeds which object type. Every method runs on the executor it is given. */
export class IntegrationStore {
  constructor(private readonly clock: Clock) {}

  /** Creates or replaces the integration (domain, uri). */
  async put(db: Queryable, i: Omit<Integration, "createdAt" | "updatedAt">): Promise<Integration> {
    const now = this.clock.now();
    const values = {
      domain_name: i.domainName,
      uri: i.uri,
      object_type_name: i.objectTypeName,
      flow_name: i.flowName ?? null,
      role_arn: i.roleArn ?? null,
      workflow_id: i.workflowId ?? null,
      hidden: i.hidden ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await db
      .insertInto("integrations")
      .values(values)
      .onConflict((oc) =>
        oc.columns(["domain_name", "uri"]).doUpdateSet({
          object_type_name: values.object_type_name,
          flow_name: values.flow_name,
          role_arn: values.role_arn,
          workflow_id: values.workflow_id,
          hidden: values.hidden,
          updated_at: now,
        }),
      )
      .execute();
    return (await this.get(db, i.domainName, i.uri))!;
  }

  /** The integration, or undefined. */
  async get(db: Queryable, domainName: string, uri: string): Promise<Integration | undefined> {
    const row = await db
      .selectFrom("integrations")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("uri", "=", uri)
      .executeTakeFirst();
    return row ? toIntegration(row) : undefined;
  }

  /** The integration or RESOURCE_NOT_FOUND. */
  async require(db: Queryable, domainName: string, uri: string): Promise<Integration> {
    const i = await this.get(db, domainName, uri);
    if (!i)
      throw new ProfileflowError(
        "RESOURCE_NOT_FOUND",
        `Integration ${uri} does not exist in domain ${domainName}.`,
      );
    return i;
  }

  /** The integration fed by a flow, if any. */
  async byFlow(db: Queryable, flowName: string): Promise<Integration | undefined> {
    const row = await db
      .selectFrom("integrations")
      .selectAll()
      .where("flow_name", "=", flowName)
      .executeTakeFirst();
    return row ? toIntegration(row) : undefined;
  }

  /** A page of a domain's integrations (or of all domains), ordered by uri. */
  async list(
    db: Queryable,
    o: {
      domainName?: string | undefined;
      uri?: string | undefined;
      includeHidden: boolean;
      after?: string | undefined;
      limit: number;
    },
  ): Promise<Integration[]> {
    let q = db.selectFrom("integrations").selectAll().orderBy("uri").orderBy("domain_name").limit(o.limit);
    if (o.domainName) q = q.where("domain_name", "=", o.domainName);
    if (o.uri) q = q.where("uri", "=", o.uri);
    if (!o.includeHidden) q = q.where("hidden", "=", 0);
    if (o.after !== undefined) q = q.where("uri", ">", o.after);
    return (await q.execute()).map(toIntegration);
  }

  /** Removes the integration. */
  async delete(db: Queryable, domainName: string, uri: string): Promise<void> {
    await db
      .deleteFrom("integrations")
      .where("domain_name", "=", domainName)
      .where("uri", "=", uri)
      .execute();
  }

  /** Every integration of a domain, hidden ones too (DeleteDomain deletes each through DeleteIntegration's path). */
  async ofDomain(db: Queryable, domainName: string): Promise<Integration[]> {
    const rows = await db
      .selectFrom("integrations")
      .selectAll()
      .where("domain_name", "=", domainName)
      .execute();
    return rows.map(toIntegration);
  }
}

function toIntegration(row: Database["integrations"]): Integration {
  return {
    domainName: row.domain_name,
    uri: row.uri,
    objectTypeName: row.object_type_name,
    flowName: row.flow_name ?? undefined,
    roleArn: row.role_arn ?? undefined,
    workflowId: row.workflow_id ?? undefined,
    hidden: Boolean(row.hidden),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
