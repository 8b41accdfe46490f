import type { Kysely, Transaction } from "kysely";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

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

/** Integrations of each domain: which flow feeds which object type. */
export class IntegrationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Creates or replaces the integration (domain, uri). */
  async put(i: Omit<Integration, "createdAt" | "updatedAt">, db: Db = this.db): Promise<Integration> {
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
    return (await this.get(i.domainName, i.uri, db))!;
  }

  /** The integration, or undefined. */
  async get(domainName: string, uri: string, db: Db = this.db): Promise<Integration | undefined> {
    const row = await db
      .selectFrom("integrations")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("uri", "=", uri)
      .executeTakeFirst();
    return row ? toIntegration(row) : undefined;
  }

  /** The integration or RESOURCE_NOT_FOUND. */
  async require(domainName: string, uri: string): Promise<Integration> {
    const i = await this.get(domainName, uri);
    if (!i)
      throw new ProfileflowError(
        "RESOURCE_NOT_FOUND",
        `Integration ${uri} does not exist in domain ${domainName}.`,
      );
    return i;
  }

  /** The integration fed by a flow, if any. */
  async byFlow(flowName: string): Promise<Integration | undefined> {
    const row = await this.db
      .selectFrom("integrations")
      .selectAll()
      .where("flow_name", "=", flowName)
      .executeTakeFirst();
    return row ? toIntegration(row) : undefined;
  }

  /** A page of a domain's integrations (or of all domains), ordered by uri. */
  async list(o: {
    domainName?: string | undefined;
    uri?: string | undefined;
    includeHidden: boolean;
    after?: string | undefined;
    limit: number;
  }): Promise<Integration[]> {
    let q = this.db
      .selectFrom("integrations")
      .selectAll()
      .orderBy("uri")
      .orderBy("domain_name")
      .limit(o.limit);
    if (o.domainName) q = q.where("domain_name", "=", o.domainName);
    if (o.uri) q = q.where("uri", "=", o.uri);
    if (!o.includeHidden) q = q.where("hidden", "=", 0);
    if (o.after !== undefined) q = q.where("uri", ">", o.after);
    return (await q.execute()).map(toIntegration);
  }

  /** Removes the integration. */
  async delete(domainName: string, uri: string, db: Db = this.db): Promise<void> {
    await db
      .deleteFrom("integrations")
      .where("domain_name", "=", domainName)
      .where("uri", "=", uri)
      .execute();
  }

  /** Removes every integration of a domain (DeleteDomain); returns their flow names. */
  async deleteDomain(domainName: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("integrations")
      .select("flow_name")
      .where("domain_name", "=", domainName)
      .execute();
    await this.db.deleteFrom("integrations").where("domain_name", "=", domainName).execute();
    return rows.map((r) => r.flow_name).filter((n): n is string => n !== null);
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
