import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import { checkFlow } from "../flows/check-flow.ts";
import type { ConnectorProfileStore } from "../flows/connector-profile-store.ts";
import type { ExecutionRecord } from "../flows/execution-record.ts";
import type { FlowDefinition, FlowStatus, StoredFlow } from "../flows/flow-definition.ts";
import type { FlowRunner } from "../flows/flow-runner.ts";
import type { FlowStore } from "../flows/flow-store.ts";
import type { IdempotencyPort, Replayable } from "./replayable.ts";
import type { TagService } from "./tag-service.ts";

export interface FlowServiceDeps {
  readonly db: Queryable;
  readonly flows: FlowStore;
  readonly connectorProfiles: ConnectorProfileStore;
  /** The execution engine (FlowEngine): schedules, executions and their jobs, inside our transaction. */
  readonly runner: FlowRunner;
  readonly tags: Pick<TagService, "listIn" | "tagIn" | "clearIn">;
  /** clientToken records, written in the operation's transaction; absent: tokens are not remembered. */
  readonly idempotency?: Pick<IdempotencyPort, "runIn"> | undefined;
  /** Whether a Customer Profiles domain exists (a flow's destination). */
  domainExists(q: Queryable, name: string): Promise<boolean>;
  /** The domain's KMS key ARN (GetDomain's DefaultEncryptionKey): a flow's KmsArn must be it. */
  domainKey?(q: Queryable, name: string): Promise<string>;
}

/** A flow with what DescribeFlow and ListFlows show beside it. */
export interface FlowDetails {
  readonly flow: StoredFlow;
  readonly tags: Record<string, string>;
  /** The newest execution, if any. */
  readonly lastRun: ExecutionRecord | undefined;
}

/** How a flow was created: its status (default Draft for Scheduled, Active otherwise) and ownership. */
export interface NewFlowOptions {
  readonly status?: FlowStatus;
  readonly hidden?: boolean;
  readonly workflowId?: string | undefined;
  readonly tags?: Record<string, string> | undefined;
}

/** What StartFlow did: the flow (now Active) and, for an OnDemand flow, the execution it started. */
export interface StartedFlow {
  readonly flow: StoredFlow;
  readonly executionId?: string;
}

/**
 * AppFlow flows: each public method is one operation in one transaction; the `…In` methods run inside a
 * caller's transaction (integrations, workflows, DeleteDomain) and never open one.
 */
export class FlowService {
  readonly #idempotency: Pick<IdempotencyPort, "runIn">;

  constructor(private readonly d: FlowServiceDeps) {
    this.#idempotency = d.idempotency ?? { runIn: (tx, _op, _token, _request, fn) => fn(tx) };
  }

  /** Checks a definition's references (connector profile, domain), schedule and tasks. */
  checkIn(q: Queryable, def: FlowDefinition): Promise<void> {
    return checkFlow(q, def, {
      connectorProfiles: this.d.connectorProfiles,
      domainExists: this.d.domainExists,
      ...(this.d.domainKey ? { domainKey: this.d.domainKey } : {}),
    });
  }

  /** CreateFlow. */
  create<R>(def: FlowDefinition, o: NewFlowOptions, call: Replayable<StoredFlow, R>): Promise<R> {
    return this.#replayable("CreateFlow", call, (tx) => this.createIn(tx, def, o));
  }

  async createIn(tx: Queryable, def: FlowDefinition, o: NewFlowOptions = {}): Promise<StoredFlow> {
    await this.checkIn(tx, def);
    const status = o.status ?? (def.triggerConfig.triggerType === "Scheduled" ? "Draft" : "Active");
    const flow = await this.d.flows.create(tx, def, {
      status,
      ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
      workflowId: o.workflowId,
    });
    if (o.tags) await this.d.tags.tagIn(tx, flow.flowArn, o.tags);
    return flow;
  }

  /** UpdateFlow: a new definition (the kmsArn stays); an Active scheduled flow takes its new schedule. */
  update<R>(def: FlowDefinition, call: Replayable<StoredFlow, R>): Promise<R> {
    return this.#replayable("UpdateFlow", call, (tx) => this.updateIn(tx, def));
  }

  async updateIn(tx: Queryable, def: FlowDefinition): Promise<StoredFlow> {
    const existing = await this.d.flows.require(tx, def.flowName);
    const kept = existing.definition.kmsArn ? { ...def, kmsArn: existing.definition.kmsArn } : def;
    // The definition as given is checked: UpdateFlow cannot change the kmsArn, so the one kept (checked
    // at creation) does not refuse the update — e.g. after UpdateDomain moved the domain to another key.
    await this.checkIn(tx, def);
    const flow = await this.d.flows.update(tx, kept);
    if (flow.flowStatus === "Active" && kept.triggerConfig.triggerType === "Scheduled")
      await this.d.runner.activateIn(tx, flow);
    return flow;
  }

  /** DescribeFlow. */
  describe(name: string): Promise<FlowDetails> {
    return this.d.db
      .transaction()
      .execute(async (tx) => this.#details(tx, await this.d.flows.require(tx, name)));
  }

  /** ListFlows: a page of visible flows ordered by name. */
  list(page: { after?: string | undefined; limit: number }): Promise<FlowDetails[]> {
    return this.d.db.transaction().execute(async (tx) => {
      const out: FlowDetails[] = [];
      for (const f of await this.d.flows.list(tx, page)) out.push(await this.#details(tx, f));
      return out;
    });
  }

  async #details(q: Queryable, flow: StoredFlow): Promise<FlowDetails> {
    const { items } = await this.d.runner.listExecutions(q, flow.definition.flowName, { limit: 1 });
    return { flow, tags: await this.d.tags.listIn(q, flow.flowArn), lastRun: items[0] };
  }

  /** DeleteFlow: CONFLICT while it runs unless forced; its schedule, executions and tags go with it. */
  delete(name: string, o: { force: boolean }): Promise<void> {
    return this.d.db.transaction().execute((tx) => this.deleteIn(tx, name, o));
  }

  async deleteIn(tx: Queryable, name: string, o: { force: boolean }): Promise<void> {
    const flow = await this.d.flows.require(tx, name);
    if (await this.d.runner.isRunning(tx, name)) {
      if (!o.force) {
        throw new ProfileflowError(
          "CONFLICT",
          `Flow ${name} has a run in progress; use forceDelete to delete it anyway.`,
        );
      }
      // A runner holding the execution finds its row gone at its next commit and stops there.
      await this.d.runner.cancelIn(tx, name, []);
    }
    await this.d.runner.forgetIn(tx, name);
    await this.d.tags.clearIn(tx, flow.flowArn);
    await this.d.flows.delete(tx, name);
  }

  /** DeleteDomain's cascade: every flow that writes into the domain goes, running or not. */
  async deleteForDomainIn(tx: Queryable, domainName: string): Promise<void> {
    for (const name of await this.d.flows.namesWritingTo(tx, domainName))
      await this.deleteIn(tx, name, { force: true });
  }

  /** StartFlow: an OnDemand flow runs now (CONFLICT while it runs); a Scheduled one becomes Active. */
  start<R>(name: string, call: Replayable<StartedFlow, R>): Promise<R> {
    return this.#replayable("StartFlow", call, async (tx) =>
      this.startIn(tx, await this.d.flows.require(tx, name)),
    );
  }

  async startIn(tx: Queryable, flow: StoredFlow): Promise<StartedFlow> {
    const name = flow.definition.flowName;
    if (flow.definition.triggerConfig.triggerType === "OnDemand") {
      if (await this.d.runner.isRunning(tx, name)) {
        throw new ProfileflowError("CONFLICT", `Flow ${name} already has a run in progress.`);
      }
      const executionId = await this.d.runner.startOnDemandIn(tx, flow);
      return { flow, executionId };
    }
    await this.d.flows.setStatus(tx, name, "Active");
    const active: StoredFlow = { ...flow, flowStatus: "Active" };
    await this.d.runner.activateIn(tx, active);
    return { flow: active };
  }

  /** StopFlow: a Scheduled flow is Suspended and unscheduled (a running execution finishes). */
  stop(name: string): Promise<StoredFlow> {
    return this.d.db.transaction().execute(async (tx) => {
      const flow = await this.d.flows.require(tx, name);
      if (flow.definition.triggerConfig.triggerType === "OnDemand") {
        throw new ProfileflowError("UNSUPPORTED_OPERATION", "StopFlow is not supported for OnDemand flows.");
      }
      await this.d.flows.setStatus(tx, name, "Suspended");
      await this.d.runner.deactivateIn(tx, name);
      return { ...flow, flowStatus: "Suspended" };
    });
  }

  /** DescribeFlowExecutionRecords: newest first, paged by an opaque token. */
  executions(
    name: string,
    page: { limit: number; after?: string | undefined },
  ): Promise<{ items: ExecutionRecord[]; next?: string | undefined }> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.flows.require(tx, name);
      return this.d.runner.listExecutions(tx, name, page);
    });
  }

  /** CancelFlowExecutions: all active executions when `ids` is empty; returns the ids that were not active. */
  cancelExecutions(name: string, ids: readonly string[]): Promise<string[]> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.flows.require(tx, name);
      return (await this.d.runner.cancelIn(tx, name, ids)).invalidExecutions;
    });
  }

  /** One transaction: the clientToken's lookup, the operation and the token's record commit together. */
  #replayable<T, R>(
    operation: string,
    call: Replayable<T, R>,
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<R> {
    return this.d.db
      .transaction()
      .execute((tx) =>
        this.#idempotency.runIn(tx, operation, call.token, call.request, async (t) =>
          call.respond(await fn(t)),
        ),
      );
  }
}
