import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Database } from "../db/schema.ts";
import type { FlowDefinition, FlowStatus, StoredFlow } from "./flow-definition.ts";
import { flowDefinitionColumn } from "./flow-definition-codec.ts";
import type { FlowCatalog } from "./flow-ports.ts";

/** Flow definitions and their lifecycle status. Executions live in the execution store. */
export class FlowStore {
  constructor(
    private readonly clock: Clock,
    private readonly arnPrefix: string,
  ) {}

  /** The ARN a flow of this name has. */
  arnOf(name: string): string {
    return `${this.arnPrefix}${name}`;
  }

  /** The engine's view (FlowCatalog): flows read through `q`, status changes in the caller's transaction. */
  catalog(q: Queryable): FlowCatalog {
    return {
      getFlow: (name) => this.get(q, name),
      setFlowStatus: (tx, name, status, message) => this.setStatus(tx, name, status, message),
    };
  }

  /** Creates a flow; ALREADY_EXISTS with AWS's words when the name is taken. */
  async create(
    q: Queryable,
    definition: FlowDefinition,
    o: { status: FlowStatus; hidden?: boolean; workflowId?: string | undefined },
  ): Promise<StoredFlow> {
    const taken = await q
      .selectFrom("flows")
      .select("name")
      .where("name", "=", definition.flowName)
      .executeTakeFirst();
    if (taken)
      throw new ProfileflowError("ALREADY_EXISTS", `Flow with name ${definition.flowName} already exists.`);
    const now = this.clock.now();
    await q
      .insertInto("flows")
      .values({
        name: definition.flowName,
        arn: this.arnOf(definition.flowName),
        definition: flowDefinitionColumn.stringify(definition),
        destination_domain: destinationDomain(definition),
        source_connector_profile: definition.sourceFlowConfig.connectorProfileName ?? null,
        status: o.status,
        status_message: null,
        hidden: o.hidden ? 1 : 0,
        workflow_id: o.workflowId ?? null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return (await this.get(q, definition.flowName))!;
  }

  /** Replaces a flow's definition. */
  async update(q: Queryable, definition: FlowDefinition): Promise<StoredFlow> {
    const res = await q
      .updateTable("flows")
      .set({
        definition: flowDefinitionColumn.stringify(definition),
        destination_domain: destinationDomain(definition),
        source_connector_profile: definition.sourceFlowConfig.connectorProfileName ?? null,
        updated_at: this.clock.now(),
      })
      .where("name", "=", definition.flowName)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound(definition.flowName);
    return (await this.get(q, definition.flowName))!;
  }

  /** Sets the status (and its message, for Errored/Suspended). */
  async setStatus(q: Queryable, name: string, status: FlowStatus, message?: string): Promise<void> {
    await q
      .updateTable("flows")
      .set({ status, status_message: message ?? null, updated_at: this.clock.now() })
      .where("name", "=", name)
      .execute();
  }

  /** The flow with this name. */
  async get(q: Queryable, name: string): Promise<StoredFlow | undefined> {
    const row = await q.selectFrom("flows").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? toFlow(row) : undefined;
  }

  /** The flow or RESOURCE_NOT_FOUND. */
  async require(q: Queryable, name: string): Promise<StoredFlow> {
    const f = await this.get(q, name);
    if (!f) throw notFound(name);
    return f;
  }

  /** A page of flows ordered by name. */
  async list(
    q: Queryable,
    o: { after?: string | undefined; limit: number; includeHidden?: boolean },
  ): Promise<StoredFlow[]> {
    let sel = q.selectFrom("flows").selectAll().orderBy("name").limit(o.limit);
    if (!o.includeHidden) sel = sel.where("hidden", "=", 0);
    if (o.after !== undefined) sel = sel.where("name", ">", o.after);
    return (await sel.execute()).map(toFlow);
  }

  /** Flows that read through a connector profile (to refuse deleting it while in use). */
  async usingConnectorProfile(q: Queryable, profileName: string): Promise<string[]> {
    const rows = await q
      .selectFrom("flows")
      .select("name")
      .where("source_connector_profile", "=", profileName)
      .orderBy("name")
      .execute();
    return rows.map((r) => r.name);
  }

  /** Names of the flows that write into a Customer Profiles domain. */
  async namesWritingTo(q: Queryable, domainName: string): Promise<string[]> {
    const rows = await q
      .selectFrom("flows")
      .select("name")
      .where("destination_domain", "=", domainName)
      .orderBy("name")
      .execute();
    return rows.map((r) => r.name);
  }

  /** Deletes a flow. */
  async delete(q: Queryable, name: string): Promise<void> {
    const res = await q.deleteFrom("flows").where("name", "=", name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(name);
  }
}

function destinationDomain(definition: FlowDefinition): string | null {
  return (
    definition.destinationFlowConfigList[0]?.destinationConnectorProperties.CustomerProfiles.domainName ??
    null
  );
}

function notFound(name: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `Flow ${name} does not exist.`);
}

function toFlow(row: Database["flows"]): StoredFlow {
  return {
    flowArn: row.arn,
    definition: flowDefinitionColumn.parse(row.definition),
    flowStatus: row.status,
    ...(row.status_message ? { flowStatusMessage: row.status_message } : {}),
    hidden: Boolean(row.hidden),
    ...(row.workflow_id ? { workflowId: row.workflow_id } : {}),
    createdAt: row.created_at,
    lastUpdatedAt: row.updated_at,
  };
}
