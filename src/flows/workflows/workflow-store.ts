import type { Clock } from "../../core/clock.ts";
import { notFound } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { WorkflowStepsTable, WorkflowsTable } from "../../db/schema/workflows.ts";
import type { FlowDefinition, SourceConnectorType } from "../flow-definition.ts";
import { workflowFlowDefinitionColumn } from "../flow-definition-codec.ts";
import { workflowTagsColumn } from "./workflow-tags-column.ts";

export type { StepStatus, WorkflowStatus } from "../../db/schema/workflows.ts";

import type { StepStatus, WorkflowStatus } from "../../db/schema/workflows.ts";

/** A stored workflow (times in epoch ms). */
export interface Workflow {
  readonly workflowId: string;
  readonly domainName: string;
  readonly workflowType: "APPFLOW_INTEGRATION";
  readonly status: WorkflowStatus;
  readonly errorDescription: string | undefined;
  readonly objectTypeName: string;
  /** The role every action of the workflow is authorized as (an assumed-role session of it). */
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

/**
 * Workflows and their steps in our tables, so any process can resume any workflow. Every method runs on
 * the executor it is given (the database, or the caller's transaction).
 */
export class WorkflowStore {
  constructor(readonly clock: Clock) {}

  /** Inserts a workflow row. */
  async insert(tx: Queryable, w: Omit<Workflow, "createdAt" | "lastUpdatedAt">): Promise<void> {
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
        // Every workflow acts as its role; the column (migration 0280) is kept and no longer read.
        acts_as_role: 1,
        connector_type: w.connectorType,
        connector_profile_name: w.connectorProfileName,
        flow_definition: workflowFlowDefinitionColumn.stringify(w.flowDefinition),
        tags: w.tags ? workflowTagsColumn.stringify({ ...w.tags }) : null,
        integration_uri: w.integrationUri ?? null,
        history_end: w.historyEnd,
        created_at: now,
        last_updated_at: now,
      })
      .execute();
  }

  /** Inserts a step row (NOT_STARTED unless told otherwise). */
  async insertStep(
    tx: Queryable,
    s: Pick<WorkflowStep, "stepId" | "workflowId" | "seq" | "flowName" | "from" | "to"> & {
      parentStepId?: string | undefined;
      status?: StepStatus;
      message?: string;
    },
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
  async get(tx: Queryable, workflowId: string): Promise<Workflow | undefined> {
    const r = await tx
      .selectFrom("workflows")
      .selectAll()
      .where("workflow_id", "=", workflowId)
      .executeTakeFirst();
    return r ? toWorkflow(r) : undefined;
  }

  /** The domain's workflow or RESOURCE_NOT_FOUND. */
  async require(tx: Queryable, domainName: string, workflowId: string): Promise<Workflow> {
    const w = await this.get(tx, workflowId);
    if (!w || w.domainName !== domainName) {
      throw notFound(`Workflow ${workflowId} does not exist in domain ${domainName}.`);
    }
    return w;
  }

  /** A page of a domain's workflows, newest first; `after` is the last workflow id of the previous page. */
  async list(
    tx: Queryable,
    o: {
      domainName: string;
      status?: WorkflowStatus | undefined;
      startedAfter?: number | undefined;
      updatedAfter?: number | undefined;
      after?: string | undefined;
      limit: number;
    },
  ): Promise<Workflow[]> {
    let q = tx
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
      const last = await this.get(tx, o.after);
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

  /** Every workflow of a domain (DeleteDomain). */
  async ofDomain(tx: Queryable, domainName: string): Promise<Workflow[]> {
    const rows = await tx.selectFrom("workflows").selectAll().where("domain_name", "=", domainName).execute();
    return rows.map(toWorkflow);
  }

  /** Ids of workflows that still have work (resumed on start). */
  async unfinished(tx: Queryable): Promise<string[]> {
    const rows = await tx
      .selectFrom("workflows")
      .select("workflow_id")
      .where("status", "in", ["NOT_STARTED", "IN_PROGRESS"])
      .execute();
    return rows.map((r) => r.workflow_id);
  }

  /** Every step, in window order (a split parent right before its children). */
  async steps(tx: Queryable, workflowId: string): Promise<WorkflowStep[]> {
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

  /** The highest step number of a workflow (0 without steps). */
  async maxSeq(tx: Queryable, workflowId: string): Promise<number> {
    const r = await tx
      .selectFrom("workflow_steps")
      .select((eb) => eb.fn.max("seq").as("m"))
      .where("workflow_id", "=", workflowId)
      .executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  /** The step an execution belongs to. */
  async stepByExecution(tx: Queryable, executionId: string): Promise<WorkflowStep | undefined> {
    const r = await tx
      .selectFrom("workflow_steps")
      .selectAll()
      .where("execution_id", "=", executionId)
      .executeTakeFirst();
    return r ? toStep(r) : undefined;
  }

  /** The step that reads through this (hidden) flow. */
  async stepByFlow(tx: Queryable, flowName: string): Promise<WorkflowStep | undefined> {
    const r = await tx
      .selectFrom("workflow_steps")
      .selectAll()
      .where("flow_name", "=", flowName)
      .executeTakeFirst();
    return r ? toStep(r) : undefined;
  }

  /** Updates a step. */
  async updateStep(tx: Queryable, stepId: string, patch: StepPatch): Promise<void> {
    await tx
      .updateTable("workflow_steps")
      .set({ ...patch, last_updated_at: this.clock.now() })
      .where("step_id", "=", stepId)
      .execute();
  }

  /** Updates a workflow. */
  async update(tx: Queryable, workflowId: string, patch: WorkflowPatch): Promise<void> {
    await tx
      .updateTable("workflows")
      .set({ ...patch, last_updated_at: this.clock.now() })
      .where("workflow_id", "=", workflowId)
      .execute();
  }

  /** Distinct records per step flow of a workflow: the sum of its pages' tallies. */
  async recordsByStep(tx: Queryable, workflowId: string): Promise<Map<string, number>> {
    const rows = await tx
      .selectFrom("workflow_record_tallies")
      .select((eb) => ["flow_name", eb.fn.sum<number | string>("new_to_flow").as("n")])
      .where("workflow_id", "=", workflowId)
      .groupBy("flow_name")
      .execute();
    return new Map(rows.map((r) => [r.flow_name, Number(r.n)]));
  }

  /** Distinct records over the whole workflow (a record seen by two steps counts once): the sum of its pages' tallies. */
  async recordsOfWorkflow(tx: Queryable, workflowId: string): Promise<number> {
    const r = await tx
      .selectFrom("workflow_record_tallies")
      .select((eb) => eb.fn.sum<number | string | null>("new_to_workflow").as("n"))
      .where("workflow_id", "=", workflowId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * Notes that a step's flow handed these records to the sink (inside the page's transaction) and
   * appends the page's tally: how many were new to the flow, and new to the workflow (no step handed
   * them over before). A conflicting insert is a record counted already; on PostgreSQL an insert of a
   * record another transaction inserted and has not committed waits for it, so each record is counted
   * once. Only inserts: the page's transaction locks no row that DeleteWorkflow deletes.
   */
  async noteRecords(
    tx: Queryable,
    workflowId: string,
    flowName: string,
    ids: readonly string[],
  ): Promise<void> {
    // Sorted: two transactions inserting overlapping records take their index entries in one order.
    const unique = [...new Set(ids)].sort();
    let newToFlow = 0;
    let newToWorkflow = 0;
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      const flowRows = await tx
        .insertInto("workflow_step_records")
        .values(part.map((record_id) => ({ flow_name: flowName, record_id, workflow_id: workflowId })))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      newToFlow += Number(flowRows.numInsertedOrUpdatedRows ?? 0);
      const workflowRows = await tx
        .insertInto("workflow_records")
        .values(part.map((record_id) => ({ workflow_id: workflowId, record_id })))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      newToWorkflow += Number(workflowRows.numInsertedOrUpdatedRows ?? 0);
    }
    if (newToFlow > 0 || newToWorkflow > 0) {
      await tx
        .insertInto("workflow_record_tallies")
        .values({
          workflow_id: workflowId,
          flow_name: flowName,
          new_to_flow: newToFlow,
          new_to_workflow: newToWorkflow,
        })
        .execute();
    }
  }

  /** Removes a workflow, its steps and its record tallies. */
  async delete(tx: Queryable, workflowId: string): Promise<void> {
    await tx.deleteFrom("workflow_step_records").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflow_records").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflow_record_tallies").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflow_steps").where("workflow_id", "=", workflowId).execute();
    await tx.deleteFrom("workflows").where("workflow_id", "=", workflowId).execute();
  }
}

function toWorkflow(r: WorkflowsTable): Workflow {
  return {
    workflowId: r.workflow_id,
    domainName: r.domain_name,
    workflowType: "APPFLOW_INTEGRATION",
    status: r.status,
    errorDescription: r.error_description ?? undefined,
    objectTypeName: r.object_type_name,
    roleArn: r.role_arn,
    connectorType: r.connector_type,
    connectorProfileName: r.connector_profile_name,
    flowDefinition: workflowFlowDefinitionColumn.parse(r.flow_definition),
    tags: r.tags ? workflowTagsColumn.parse(r.tags) : undefined,
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
    status: r.status,
    attempts: r.attempts,
    executionId: r.execution_id ?? undefined,
    executionMessage: r.execution_message,
    nextRunAt: Number(r.next_run_at),
    createdAt: Number(r.created_at),
    lastUpdatedAt: Number(r.last_updated_at),
  };
}
