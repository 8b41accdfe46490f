import type { Clock } from "../core/clock.ts";
import { invalid, notFound, ProfileflowError } from "../core/errors.ts";
import { type RoleAction, RoleDeniedError, type WorkflowRoleActor } from "../core/workflow-role.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ExecutionStore } from "../flows/execution-store.ts";
import type { FlowDefinition, ScheduledTriggerProperties } from "../flows/flow-definition.ts";
import type { FlowStore } from "../flows/flow-store.ts";
import type { Integration, IntegrationStore } from "../flows/integration-store.ts";
import { checkBatches, planBatches, type Window } from "../flows/workflows/planner.ts";
import { deleteFlowActions } from "../flows/workflows/role-actions.ts";
import type { WorkflowRunner } from "../flows/workflows/workflow-runner.ts";
import type { Workflow, WorkflowStatus } from "../flows/workflows/workflow-store.ts";
import {
  type StepView,
  stepViews,
  type WorkflowMetrics,
  workflowMetrics,
} from "../flows/workflows/workflow-views.ts";
import type { ObjectTypeDefinition } from "../ingest/index.ts";
import type { FlowService } from "./flow-service.ts";

export interface WorkflowServiceDeps {
  db: Queryable;
  clock: Clock;
  domains: {
    requireIn(q: Queryable, domainName: string): Promise<unknown>;
    /** requireIn under the domain's lock (DeleteDomain's), for a write that adds to the domain. */
    lockIn(tx: Queryable, domainName: string): Promise<unknown>;
  };
  objectTypes: {
    getIn(
      q: Queryable,
      domainName: string,
      objectTypeName: string,
    ): Promise<ObjectTypeDefinition | undefined>;
  };
  /** The one check of a definition and DeleteFlow's one path, inside our transaction. */
  flows: Pick<FlowService, "checkIn" | "deleteIn">;
  flowStore: Pick<FlowStore, "get">;
  /** Lookups of the steps' integrations. */
  integrations: IntegrationStore;
  /**
   * DeleteIntegration's one path (IntegrationService.deleteIn: the integration, its tags and its flow),
   * for the steps' hidden integrations.
   */
  integrationDeletion: { deleteIn(tx: Queryable, integration: Integration): Promise<void> };
  runner: WorkflowRunner;
  /** The execution records of the steps' flows (a running step shows its execution's message). */
  executions: ExecutionStore;
  /**
   * CreateIntegrationWorkflow's role check (src/security/iam/workflow-role-check.ts), for every caller:
   * the caller may iam:PassRole the role, it exists and it trusts profile.amazonaws.com; else the
   * request is refused and no workflow is created.
   */
  roles: {
    check(
      q: Queryable,
      accessKeyId: string,
      roleArn: string,
      domainName: string,
      requestId?: string,
    ): Promise<unknown>;
  };
  /** The workflow's role, for DeleteWorkflow's profile:DeleteIntegration and appflow:DeleteFlow. */
  roleActor: WorkflowRoleActor<Queryable>;
}

/** What CreateIntegrationWorkflow asks for (the definition already in the engine's shape). */
export interface WorkflowRequest {
  objectTypeName: string;
  roleArn: string;
  flowDefinition: FlowDefinition;
  /** Explicit batches (epoch ms); else 2-month batches from the definition's firstExecutionFrom to now. */
  batches?: readonly Window[] | undefined;
  tags?: Readonly<Record<string, string>> | undefined;
  /** The signing caller's access key: its right to pass the role is checked. */
  callerAccessKeyId: string;
  /** The request's id (recorded with the iam:PassRole decision in the audit trail). */
  requestId?: string | undefined;
}

/** A workflow's filters for ListWorkflows (epoch ms). */
export interface WorkflowFilter {
  status?: WorkflowStatus | undefined;
  startedAfter?: number | undefined;
  updatedAfter?: number | undefined;
  after?: string | undefined;
  limit: number;
}

const SOURCE_TYPE = "IntegrationConfig.AppflowIntegration.FlowDefinition.SourceFlowConfig.ConnectorType";

/**
 * CreateIntegrationWorkflow, GetWorkflow, GetWorkflowSteps, ListWorkflows, DeleteWorkflow and the
 * retry extension: each one transaction (the jobs that move a workflow are enqueued inside it). The
 * runner (src/flows/workflows) decides how a workflow advances; this service is how the API changes one.
 */
export class WorkflowService {
  constructor(private readonly d: WorkflowServiceDeps) {}

  /**
   * RESOURCE_NOT_FOUND when the domain does not exist: handlers ask before they validate the request,
   * so a missing domain is reported first (as before these operations moved into this service).
   */
  async requireDomain(domainName: string): Promise<void> {
    await this.d.domains.requireIn(this.d.db, domainName);
  }

  /** Plans the batches and creates the workflow with its steps, their hidden flows and integrations. */
  async create(domainName: string, r: WorkflowRequest): Promise<{ workflow: Workflow; batches: Window[] }> {
    // The role check reads IAM's tables, not what this transaction writes: before it (SQLite has one
    // connection, and the caller's principal is resolved through the pool). It throws unless the
    // workflow can act as the role.
    await this.d.roles.check(this.d.db, r.callerAccessKeyId, r.roleArn, domainName, r.requestId);
    return this.d.db.transaction().execute(async (tx) => {
      // Under the domain's lock: a DeleteDomain that committed first is seen, one that comes later
      // waits — the workflow's flows and integrations never outlive the domain's cascade.
      await this.d.domains.lockIn(tx, domainName);
      const def = r.flowDefinition;
      if (def.sourceFlowConfig.connectorType === "Zendesk") {
        // As in AWS: Zendesk's history comes through one incremental flow from its start date.
        throw invalid(
          SOURCE_TYPE,
          "Zendesk is not a supported workflow source; use PutIntegration with a FlowDefinition whose FirstExecutionFrom is the start date.",
        );
      }
      if (!(await this.d.objectTypes.getIn(tx, domainName, r.objectTypeName))) {
        throw notFound(`Object type ${r.objectTypeName} does not exist in domain ${domainName}.`);
      }
      const sched = scheduledTrigger(def);
      await this.d.flows.checkIn(tx, def);
      const batches = this.#plan(sched.firstExecutionFrom, r.batches);
      const workflow = await this.d.runner.createIn(tx, {
        domainName,
        objectTypeName: r.objectTypeName,
        roleArn: r.roleArn,
        flowDefinition: def,
        batches,
        tags: r.tags,
      });
      return { workflow, batches };
    });
  }

  /** The domain's workflow with its metrics; RESOURCE_NOT_FOUND when it does not exist. */
  get(domainName: string, workflowId: string): Promise<{ workflow: Workflow; metrics: WorkflowMetrics }> {
    return this.d.db.transaction().execute(async (tx) => {
      const workflow = await this.#require(tx, domainName, workflowId);
      return { workflow, metrics: await workflowMetrics(tx, this.d.runner.store, workflow) };
    });
  }

  /** Every step of the domain's workflow in window order, as GetWorkflowSteps shows them. */
  steps(domainName: string, workflowId: string): Promise<{ workflow: Workflow; steps: StepView[] }> {
    return this.d.db.transaction().execute(async (tx) => {
      const workflow = await this.#require(tx, domainName, workflowId);
      return { workflow, steps: await stepViews(tx, this.d.runner.store, this.d.executions, workflowId) };
    });
  }

  /** A page of the domain's workflows, newest first (`limit` rows at most). */
  list(domainName: string, f: WorkflowFilter): Promise<Workflow[]> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.requireIn(tx, domainName);
      return this.d.runner.store.list(tx, { domainName, ...f });
    });
  }

  /**
   * DeleteWorkflow: its steps' hidden flows (running ones cancelled) and integrations go; the continuous
   * integration stays. The workflow deletes them as its role (profile:DeleteIntegration,
   * appflow:DeleteFlow): a refusal is AccessDenied with AWS's sentence naming the role's session. A
   * role that cannot be assumed any more (deleted, or its trust policy changed) cannot act: the caller's
   * own right to DeleteWorkflow is then enough.
   */
  async delete(domainName: string, workflowId: string): Promise<void> {
    try {
      await this.d.db.transaction().execute(async (tx) => {
        const wf = await this.#require(tx, domainName, workflowId);
        await this.#deleteAsRole(tx, wf);
        await this.deleteIn(tx, wf);
      });
    } catch (e) {
      // The refusal's audit row went with the rolled-back transaction: written again after it.
      if (e instanceof RoleDeniedError) {
        if (e.session) await this.d.roleActor.recordRefusal(this.d.db, e.session, e.denial);
        throw new ProfileflowError("ACCESS_DENIED", e.denial.message, {
          action: e.denial.action,
          resource: e.denial.resource,
        });
      }
      throw e;
    }
  }

  async #deleteAsRole(tx: Queryable, wf: Workflow): Promise<void> {
    const actions: RoleAction[] = [];
    for (const s of await this.d.runner.store.steps(tx, wf.workflowId)) {
      const integration = await this.d.integrations.byFlow(tx, s.flowName);
      const flow = await this.d.flowStore.get(tx, s.flowName);
      if (flow)
        actions.push(...deleteFlowActions(flow.flowArn, wf.domainName, integration?.uri ?? flow.flowArn));
    }
    const session = { roleArn: wf.roleArn, workflowId: wf.workflowId, domainName: wf.domainName };
    const denial = await this.d.roleActor.authorize(tx, session, actions);
    if (denial && denial.action !== "sts:AssumeRole") throw new RoleDeniedError(denial, session);
  }

  /** Re-runs the FAILED steps' windows with fresh attempts; returns those windows. */
  retry(domainName: string, workflowId: string): Promise<Window[]> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.requireIn(tx, domainName);
      return this.d.runner.rerunFailedIn(tx, domainName, workflowId);
    });
  }

  /** Deletes a workflow inside the caller's transaction: each step's hidden integration and flow, then its rows. */
  async deleteIn(tx: Queryable, wf: Workflow): Promise<void> {
    const store = this.d.runner.store;
    for (const s of await store.steps(tx, wf.workflowId)) {
      const integration = await this.d.integrations.byFlow(tx, s.flowName);
      if (integration?.hidden) await this.d.integrationDeletion.deleteIn(tx, integration);
      if (await this.d.flowStore.get(tx, s.flowName))
        await this.d.flows.deleteIn(tx, s.flowName, { force: true });
    }
    await store.delete(tx, wf.workflowId);
  }

  /** DeleteDomain: every workflow of the domain (their steps' flows and integrations), inside `tx`. */
  async deleteForDomainIn(tx: Queryable, domainName: string): Promise<void> {
    for (const wf of await this.d.runner.store.ofDomain(tx, domainName)) await this.deleteIn(tx, wf);
  }

  /** Explicit batches checked, else 2-month batches from `firstExecutionFrom` to now. */
  #plan(firstExecutionFrom: number | undefined, batches: readonly Window[] | undefined): Window[] {
    if (batches) return checkBatches(batches);
    if (firstExecutionFrom !== undefined) return planBatches(firstExecutionFrom, this.d.clock.now());
    throw invalid(
      "IntegrationConfig.AppflowIntegration.Batches",
      "Give Batches, or FirstExecutionFrom in the FlowDefinition's Scheduled trigger to plan 2-month batches from.",
    );
  }

  async #require(q: Queryable, domainName: string, workflowId: string): Promise<Workflow> {
    await this.d.domains.requireIn(q, domainName);
    return this.d.runner.store.require(q, domainName, workflowId);
  }
}

/** The definition's Scheduled properties: a workflow's definition becomes its continuous integration. */
function scheduledTrigger(def: FlowDefinition): ScheduledTriggerProperties {
  const sched = def.triggerConfig.triggerProperties?.Scheduled;
  if (def.triggerConfig.triggerType !== "Scheduled" || !sched) {
    throw invalid(
      "IntegrationConfig.AppflowIntegration.FlowDefinition.TriggerConfig",
      "The FlowDefinition must be Scheduled: it becomes the continuous integration once the history is in.",
    );
  }
  return sched;
}
