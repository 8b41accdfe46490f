import type { Kysely, Transaction } from "kysely";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";
import type { FlowDefinition, FlowStatus, StoredFlow } from "./flow-definition.ts";
import type { FlowCatalog } from "./flow-ports.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** Flow definitions and their lifecycle status. Executions live in the execution store. */
export class FlowStore implements FlowCatalog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly arnPrefix: string,
  ) {}

  /** The ARN a flow of this name has. */
  arnOf(name: string): string {
    return `${this.arnPrefix}${name}`;
  }

  /** Creates a flow; ALREADY_EXISTS with AWS's words when the name is taken. */
  async create(
    definition: FlowDefinition,
    o: { status: FlowStatus; hidden?: boolean; workflowId?: string | undefined },
    db: Db = this.db,
  ): Promise<StoredFlow> {
    const taken = await db
      .selectFrom("flows")
      .select("name")
      .where("name", "=", definition.flowName)
      .executeTakeFirst();
    if (taken)
      throw new ProfileflowError("ALREADY_EXISTS", `Flow with name ${definition.flowName} already exists.`);
    const now = this.clock.now();
    await db
      .insertInto("flows")
      .values({
        name: definition.flowName,
        arn: this.arnOf(definition.flowName),
        definition: JSON.stringify(definition),
        status: o.status,
        status_message: null,
        hidden: o.hidden ? 1 : 0,
        workflow_id: o.workflowId ?? null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return (await this.get(definition.flowName, db))!;
  }

  /** Replaces a flow's definition. */
  async update(definition: FlowDefinition, db: Db = this.db): Promise<StoredFlow> {
    const res = await db
      .updateTable("flows")
      .set({ definition: JSON.stringify(definition), updated_at: this.clock.now() })
      .where("name", "=", definition.flowName)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound(definition.flowName);
    return (await this.get(definition.flowName, db))!;
  }

  /** Sets the status (and its message, for Errored/Suspended). */
  async setStatus(name: string, status: FlowStatus, message?: string, db: Db = this.db): Promise<void> {
    await db
      .updateTable("flows")
      .set({ status, status_message: message ?? null, updated_at: this.clock.now() })
      .where("name", "=", name)
      .execute();
  }

  /** FlowCatalog: the flow with this name. */
  getFlow(name: string): Promise<StoredFlow | undefined> {
    return this.get(name);
  }

  /** FlowCatalog: a status the engine decided (Suspended after too many failures). */
  setFlowStatus(name: string, status: FlowStatus, message?: string): Promise<void> {
    return this.setStatus(name, status, message);
  }

  /** The flow with this name. */
  async get(name: string, db: Db = this.db): Promise<StoredFlow | undefined> {
    const row = await db.selectFrom("flows").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? toFlow(row) : undefined;
  }

  /** The flow or RESOURCE_NOT_FOUND. */
  async require(name: string, db: Db = this.db): Promise<StoredFlow> {
    const f = await this.get(name, db);
    if (!f) throw notFound(name);
    return f;
  }

  /** A page of flows ordered by name. */
  async list(o: {
    after?: string | undefined;
    limit: number;
    includeHidden?: boolean;
  }): Promise<StoredFlow[]> {
    let q = this.db.selectFrom("flows").selectAll().orderBy("name").limit(o.limit);
    if (!o.includeHidden) q = q.where("hidden", "=", 0);
    if (o.after !== undefined) q = q.where("name", ">", o.after);
    return (await q.execute()).map(toFlow);
  }

  /** Flows that read through a connector profile (to refuse deleting it while in use). */
  async usingConnectorProfile(profileName: string): Promise<string[]> {
    const rows = await this.db.selectFrom("flows").select(["name", "definition"]).execute();
    return rows
      .filter(
        (r) =>
          (JSON.parse(r.definition) as FlowDefinition).sourceFlowConfig.connectorProfileName === profileName,
      )
      .map((r) => r.name);
  }

  /** Active scheduled flows (for the scheduler). */
  async active(): Promise<StoredFlow[]> {
    return (await this.db.selectFrom("flows").selectAll().where("status", "=", "Active").execute()).map(
      toFlow,
    );
  }

  /** Deletes a flow. */
  async delete(name: string, db: Db = this.db): Promise<void> {
    const res = await db.deleteFrom("flows").where("name", "=", name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(name);
  }
}

function notFound(name: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `Flow ${name} does not exist.`);
}

function toFlow(row: Database["flows"]): StoredFlow {
  return {
    flowArn: row.arn,
    definition: JSON.parse(row.definition) as FlowDefinition,
    flowStatus: row.status as FlowStatus,
    ...(row.status_message ? { flowStatusMessage: row.status_message } : {}),
    hidden: Boolean(row.hidden),
    ...(row.workflow_id ? { workflowId: row.workflow_id } : {}),
    createdAt: row.created_at,
    lastUpdatedAt: row.updated_at,
  };
}
