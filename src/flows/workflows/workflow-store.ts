import type { Kysely } from "kysely";
import type { Clock } from "../../core/clock.ts";
import { notFound } from "../../core/errors.ts";
import type { WorkflowStepsTable, WorkflowsTable } from "../../db/schema/workflows.ts";
import type { Database } from "../../db/schema.ts";
import type { DbOrTx } from "../executor.ts";
import type { FlowDefinition, SourceConnectorType } from "../flow-definition.ts";

export type WorkflowStatus = "NOT_STARTED" | "IN_PROGRESS" | "COMPLETE" | "FAILED" | "CANCELLED";
export type StepStatus =
  | "NOT_STARTED"
  | "IN_PROGRESS"
  | "RETRY"
  | "SPLIT"
  | "COMPLETE"
  | "FAILED"
  | "CANCELLED";

/** A stored workflow (times in epoch ms). */
export interface Workflow {
  readonly workflowId: string;
  readonly domainName: string;
  readonly workflowType: "APPFLOW_INTEGRATION";
  readonly status: WorkflowStatus;
  readonly errorDescription: string | undefined;
  readonly objectTypeName: string;
  readonly roleArn: string;
  readonly connectorType: SourceConnectorType;
  readonly connectorProfileName: string;
  /** The definition the continuous integration is created from (the steps are copies of it). */
  readonly flowDefinition: FlowDefinition;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly integrationUri: string | undefined;
  /** The last batch's end: where the continuous integration starts reading. */
  readonly historyEnd: number;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
}

/** A stored step. */
export interface WorkflowStep {
  readonly stepId: string;
  readonly workflowId: string;
  readonly seq: number;
  readonly parentStepId: string | undefined;
  readonly flowName: string;
  readonly from: number;
  readonly to: number;
  readonly status: StepStatus;
  readonly attempts: number;
  /** The execution running for this step now (null between attempts). */
  readonly executionId: string | undefined;
  readonly executionMessage: string;
  readonly nextRunAt: number;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
}

export type StepPatch = Partial<
  Pick<WorkflowStepsTable, "status" | "attempts" | "execution_id" | "execution_message" | "next_run_at">
>;
export type WorkflowPatch = Partial<Pick<WorkflowsTable, "status" | "error_description" | "integration_uri">>;

/** Workflows and their steps in our tables, so any process can resume any workflow. */
export class WorkflowStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly clock: Clock,
  ) {}

  /** Inserts a workflow row. */
  async insert(w: Omit<Workflow, "createdAt" | "lastUpdatedAt">, tx: DbOrTx = this.db): Promise<void> {
    const now = this.clock.now();
    await tx
      .insertInto("workflows")
      .values({
        workflow_id: w.workflowId,
        domain_name: w.domainName,
        workflow_type: w.workflowType,
        status: w.status,
        error_description: w.errorDescription ?? null,
        object_type_name: w.objectTypeName,
        role_arn: w.roleArn,
        connector_type: w.connectorType,
        connector_profile_name: w.connectorProfileName,
        flow_definition: JSON.stringify(w.flowDefinition),
        tags: w.tags ? JSON.stringify(w.tags) : null,
        integration_uri: w.integrationUri ?? null,
        history_end: w.historyEnd,
        created_at: now,
        last_updated_at: now,
      })
      .execute();
  }

  /** Inserts a step row (NOT_STARTED unless told otherwise). */
  async insertStep(
    s: Pick<WorkflowStep, "stepId" | "workflowId" | "seq" | "flowName" | "from" | "to"> & {
      parentStepId?: string | undefined;
      status?: StepStatus;
      message?: string;
    },
    tx: DbOrTx = this.db,
  ): Promise<void> {
    const now = this.clock.now();
    await tx
      .insertInto("workflow_steps")
      .values({
        step_id: s.stepId,
        workflow_id: s.workflowId,
        seq: s.seq,
        parent_step_id: s.parentStepId ?? null,
        flow_name: s.flowName,
        window_from: s.from,
        window_to: s.to,
        status: s.status ?? "NOT_STARTED",
        attempts: 0,
        execution_id: null,
        execution_message: s.message ?? "",
        next_run_at: 0,
        created_at: now,
        last_updated_at: now,
      })
      .execute();
  }

  /** The workflow, or undefined. */
  async get(workflowId: string, tx: DbOrTx = this.db): Promise<Workflow | undefined> {
    const r = await tx
      .selectFrom("workflows")
      .selectAll()
      .where("workflow_id", "=", workflowId)
      .executeTakeFirst();
    return r ? toWorkflow(r) : undefined;
  }

  /** The domain's workflow or RESOURCE_NOT_FOUND. */
  async require(domainName: string, workflowId: string): Promise<Workflow> {
    const w = await this.get(workflowId);
    if (!w || w.domainName !== domainName) {
      throw notFound(`Workflow ${workflowId} does not exist in domain ${domainName}.`);
    }
    return w;
  }

  /** A page of a domain's workflows, newest first; `after` is the last workflow id of the previous page. */
  async list(o: {
    domainName: string;
    status?: WorkflowStatus | undefined;
    startedAfter?: number | undefined;
    updatedAfter?: number | undefined;
    after?: string | undefined;
    limit: number;
  }): Promise<Workflow[]> {
    let q = this.db
      .selectFrom("workflows")
      .selectAll()
      .where("domain_name", "=", o.domainName)
      .orderBy("created_at", "desc")
      .orderBy("workflow_id", "desc")
      .limit(o.limit);
    if (o.status) q = q.where("status", "=", o.status);
    if (o.startedAfter !== undefined) q = q.where("created_at", ">=", o.startedAfter);
    if (o.updatedAfter !== undefined) q = q.where("last_updated_at", ">=", o.updatedAfter);
    if (o.after !== undefined) {
      const last = await this.get(o.after);
      if (last) {
        const { createdAt, workflowId } = last;
        q = q.where((eb) =>
          eb.or([
            eb("created_at", "<", createdAt),
            eb.and([eb("created_at", "=", createdAt), eb("workflow_id", "<", workflowId)]),
          ]),
        );
      }
    }
    return (await q.execute()).map(toWorkflow);
  }

  /** Ids of workflows that still have work (resumed on start). */
  async unfinished(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("workflows")
      .select("workflow_id")
      .where("status", "in", ["NOT_STARTED", "IN_PROGRESS"])
      .execute();
    return rows.map((r) => r.workflow_id);
  }

  /** Every step, in window order (a split parent right before its children). */
  async steps(workflowId: string, tx: DbOrTx = this.db): Promise<WorkflowStep[]> {
    const rows = await tx
      .selectFrom("workflow_steps")
      .selectAll()
      .where("workflow_id", "=", workflowId)
      .orderBy("window_from")
      .orderBy("window_to", "desc")
      .orderBy("seq")
      .execute();
    return rows.map(toStep);
  }

  /** The step an execution belongs to. */
  async stepByExecution(executionId: string): Promise<WorkflowStep | undefined> {
    const r = await this.db
      .selectFrom("workflow_steps")
      .selectAll()
      .where("execution_id", "=", executionId)
      .executeTakeFirst();
    return r ? toStep(r) : undefined;
  }

  /** The step that reads through this (hidden) flow. */
  async stepByFlow(flowName: string): Promise<WorkflowStep | undefined> {
    const r = await this.db
      .selectFrom("workflow_steps")
      .selectAll()
      .where("flow_name", "=", flowName)
      .executeTakeFirst();
    return r ? toStep(r) : undefined;
  }

  /** Updates a step. */
  async updateStep(stepId: string, patch: StepPatch, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .updateTable("workflow_steps")
      .set({ ...patch, last_updated_at: this.clock.now() })
      .where("step_id", "=", stepId)
      .execute();
  }

  /** Updates a workflow. */
  async update(workflowId: string, patch: WorkflowPatch, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .updateTable("workflows")
      .set({ ...patch, last_updated_at: this.clock.now() })
      .where("workflow_id", "=", workflowId)
      .execute();
  }

  /** Distinct records per step flow of a workflow. */
  async recordsByStep(workflowId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("workflow_step_records")
      .select((eb) => ["flow_name", eb.fn.countAll<number | string>().as("n")])
      .where("workflow_id", "=", workflowId)
      .groupBy("flow_name")
      .execute();
    return new Map(rows.map((r) => [r.flow_name, Number(r.n)]));
  }

  /** Distinct records over the whole workflow (a record seen by two steps counts once). */
  async recordsOfWorkflow(workflowId: string): Promise<number> {
    const r = await this.db
      .selectFrom("workflow_step_records")
      .select((eb) => eb.fn.count<number | string>("record_id").distinct().as("n"))
      .where("workflow_id", "=", workflowId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Notes that a step's flow handed these records to the sink (inside the page's transaction). */
  async noteRecords(tx: DbOrTx, workflowId: string, flowName: string, ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique
        .slice(i, i + 500)
        .map((record_id) => ({ flow_name: flowName, record_id, workflow_id: workflowId }));
      await tx
        .insertInto("workflow_step_records")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  /** Removes a workflow, its steps and its record tallies. */
  async delete(workflowId: string, tx: DbOrTx = this.db): Promise<void> {
    await tx.deleteFrom("workflow_step_records").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflow_steps").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflows").where("workflow_id", "=", workflowId).execute();
  }
}

function toWorkflow(r: WorkflowsTable): Workflow {
  return {
    workflowId: r.workflow_id,
    domainName: r.domain_name,
    workflowType: "APPFLOW_INTEGRATION",
    status: r.status as WorkflowStatus,
    errorDescription: r.error_description ?? undefined,
    objectTypeName: r.object_type_name,
    roleArn: r.role_arn,
    connectorType: r.connector_type as SourceConnectorType,
    connectorProfileName: r.connector_profile_name,
    flowDefinition: JSON.parse(r.flow_definition) as FlowDefinition,
    tags: r.tags ? (JSON.parse(r.tags) as Record<string, string>) : undefined,
    integrationUri: r.integration_uri ?? undefined,
    historyEnd: Number(r.history_end),
    createdAt: Number(r.created_at),
    lastUpdatedAt: Number(r.last_updated_at),
  };
}

function toStep(r: WorkflowStepsTable): WorkflowStep {
  return {
    stepId: r.step_id,
    workflowId: r.workflow_id,
    seq: r.seq,
    parentStepId: r.parent_step_id ?? undefined,
    flowName: r.flow_name,
    from: Number(r.window_from),
    to: Number(r.window_to),
    status: r.status as StepStatus,
    attempts: r.attempts,
    executionId: r.execution_id ?? undefined,
    executionMessage: r.execution_message,
    nextRunAt: Number(r.next_run_at),
    createdAt: Number(r.created_at),
    lastUpdatedAt: Number(r.last_updated_at),
  };
}
