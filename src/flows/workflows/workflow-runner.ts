import type { Kysely } from "kysely";
import type { ObjectSpec } from "../../connectors/sdk/index.ts";
import type { Clock } from "../../core/clock.ts";
import { isProfileflowError, ProfileflowError } from "../../core/errors.ts";
import { hexId, uuid } from "../../core/ids.ts";
import type { Logger } from "../../core/logger.ts";
import type { Database } from "../../db/schema.ts";
import type { DbOrTx, Executor, JobOutcome, JobPayload } from "../executor.ts";
import { type FlowDefinition, sourceObject } from "../flow-definition.ts";
import type { ExecutionFinished, FlowEngine } from "../flow-engine.ts";
import type { ConnectorCatalog } from "../flow-ports.ts";
import type { FlowStore } from "../flow-store.ts";
import type { IntegrationStore } from "../integration-store.ts";
import { classifyFailure, halve, iso, MAX_STEPS, splitWindow, type Window } from "./planner.ts";
import { continuousDefinition, createStepFlow, stepFlowName } from "./step-flows.ts";
import { type Workflow, type WorkflowStep, WorkflowStore } from "./workflow-store.ts";

export interface WorkflowRunnerOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly executor: Executor;
  readonly engine: FlowEngine;
  readonly flows: FlowStore;
  readonly integrations: IntegrationStore;
  /** The connectors' object specs: safety lag and largest window per object. */
  readonly connectors: ConnectorCatalog;
  readonly logger?: Logger;
  /** Executions per step before it is FAILED: the seed's first try plus 3 retries; default 4. */
  readonly maxAttempts?: number;
  /** First retry delay, doubling per retry; default 60 s. */
  readonly retryBaseMs?: number;
  /** Steps of one workflow read at the same time; default 1 (the vendor's API quota is shared). */
  readonly maxConcurrentSteps?: number;
  /** How often (clock ms) every unfinished workflow is looked at: retries and waits come due; default 15 s. */
  readonly sweepEveryMs?: number;
}

/** What CreateIntegrationWorkflow asks for, already validated. */
export interface NewWorkflow {
  readonly domainName: string;
  readonly objectTypeName: string;
  readonly roleArn: string;
  /** The engine's definition (Scheduled), writing into the domain and object type. */
  readonly flowDefinition: FlowDefinition;
  /** Checked, sorted, non-overlapping batches. */
  readonly batches: readonly Window[];
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

const ADVANCE = "workflows.advance";
const SWEEP = "workflows.sweep";

/**
 * Runs integration workflows: one hidden bounded flow per batch, retried, split, paused and resumed
 * from our tables, then the hand-off to the continuous integration. Every decision is made in
 * `advance`, which reconciles steps with their execution records, so a lost notification or a
 * restarted process only delays a workflow, never loses it.
 */
export class WorkflowRunner {
  readonly store: WorkflowStore;
  readonly #o: WorkflowRunnerOptions;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #concurrency: number;

  constructor(o: WorkflowRunnerOptions) {
    this.#o = o;
    this.store = new WorkflowStore(o.db, o.clock);
    this.#maxAttempts = o.maxAttempts ?? 4;
    this.#retryBaseMs = o.retryBaseMs ?? 60_000;
    this.#concurrency = o.maxConcurrentSteps ?? 1;
    o.executor.define(ADVANCE, (p) => this.#advanceJob(p));
    o.executor.define(SWEEP, () => this.#sweep());
  }

  /** The execution records of the steps' flows (GetWorkflowSteps shows the live ones). */
  get executions(): FlowEngine["executions"] {
    return this.#o.engine.executions;
  }

  /**
   * Installs the sweep and resumes every unfinished workflow (call once per process). Due retries and
   * waits are found by the sweep, a schedule on our clock, rather than by jobs with a future run-at:
   * a queue that keeps time by its database's clock would run those early, over and over.
   */
  async init(): Promise<void> {
    await this.#o.executor.schedule({
      key: "workflows:sweep",
      task: SWEEP,
      payload: {},
      everyMs: this.#o.sweepEveryMs ?? 15_000,
      startAt: 0,
    });
    await this.#sweep();
  }

  /** Creates a workflow: its steps, their hidden flows and integrations, in one transaction; starts it. */
  async create(w: NewWorkflow): Promise<Workflow> {
    const workflowId = hexId();
    const last = w.batches[w.batches.length - 1];
    if (!last)
      throw new ProfileflowError("VALIDATION_FAILED", "A workflow needs at least one batch.", {
        member: "Batches",
      });
    const maxWindowMs = this.#objectSpec(w.flowDefinition)?.maxWindowMs;
    const wf = {
      workflowId,
      domainName: w.domainName,
      workflowType: "APPFLOW_INTEGRATION" as const,
      status: "NOT_STARTED" as const,
      errorDescription: undefined,
      objectTypeName: w.objectTypeName,
      roleArn: w.roleArn,
      connectorType: w.flowDefinition.sourceFlowConfig.connectorType,
      connectorProfileName: w.flowDefinition.sourceFlowConfig.connectorProfileName ?? "",
      flowDefinition: w.flowDefinition,
      tags: w.tags,
      integrationUri: undefined,
      historyEnd: last.to,
    };
    await this.#o.db.transaction().execute(async (tx) => {
      await this.store.insert(wf, tx);
      let seq = 0;
      for (const batch of w.batches) {
        const pieces = maxWindowMs ? splitWindow(batch, maxWindowMs) : [batch];
        const parent = await this.#addStep(tx, wf, ++seq, batch, undefined, pieces.length > 1);
        if (pieces.length > 1) for (const p of pieces) await this.#addStep(tx, wf, ++seq, p, parent, false);
      }
      if (seq > MAX_STEPS)
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          `The workflow would need ${seq} steps; at most ${MAX_STEPS} are allowed.`,
          { member: "Batches" },
        );
      await this.#kick(workflowId, tx);
    });
    return (await this.store.get(workflowId))!;
  }

  /** The engine's onFinished: a step's execution ended, so its workflow has something to decide. */
  readonly onExecutionFinished = async (e: ExecutionFinished): Promise<void> => {
    const step =
      (await this.store.stepByExecution(e.executionId)) ?? (await this.store.stepByFlow(e.flowName));
    if (step) await this.#kick(step.workflowId);
  };

  /** Re-runs the FAILED steps' windows (attempts start over); returns those windows. */
  async rerunFailed(domainName: string, workflowId: string): Promise<Window[]> {
    const wf = await this.store.require(domainName, workflowId);
    const failed = (await this.store.steps(workflowId)).filter((s) => s.status === "FAILED");
    if (failed.length === 0 || wf.status === "CANCELLED") {
      throw new ProfileflowError("CONFLICT", `Workflow ${workflowId} has no failed steps to re-run.`);
    }
    await this.#o.db.transaction().execute(async (tx) => {
      for (const s of failed) {
        await this.store.updateStep(
          s.stepId,
          {
            status: "NOT_STARTED",
            attempts: 0,
            next_run_at: 0,
            execution_id: null,
            execution_message: "Re-run requested.",
          },
          tx,
        );
      }
      await this.store.update(workflowId, { status: "IN_PROGRESS", error_description: null }, tx);
      await this.#kick(workflowId, tx);
    });
    return failed.map((s) => ({ from: s.from, to: s.to }));
  }

  /** DeleteWorkflow: stops its steps, removes their hidden flows, integrations and records; the continuous integration stays. */
  async delete(domainName: string, workflowId: string): Promise<void> {
    const wf = await this.store.require(domainName, workflowId);
    await this.store.update(workflowId, { status: "CANCELLED" });
    for (const s of await this.store.steps(workflowId)) {
      const flow = await this.#o.flows.get(s.flowName);
      if (!flow) continue;
      if (await this.#o.engine.executions.activeExecution(s.flowName))
        await this.#o.engine.cancel(s.flowName, []);
      await this.#o.engine.forgetFlow(s.flowName);
      await this.#o.integrations.delete(wf.domainName, flow.flowArn);
      await this.#o.flows.delete(s.flowName);
    }
    await this.store.delete(workflowId);
  }

  /** Decides everything that is due for one workflow now (also run by the `workflows.advance` job). */
  async advance(workflowId: string): Promise<void> {
    const wf = await this.store.get(workflowId);
    if (!wf || wf.status === "COMPLETE" || wf.status === "FAILED" || wf.status === "CANCELLED") return;
    const now = this.#o.clock.now();
    let steps = await this.store.steps(workflowId);
    let running = 0;
    for (const s of steps) if (s.executionId && (await this.#reconcile(wf, s))) running++;
    steps = await this.store.steps(workflowId);
    const lag = this.#objectSpec(wf.flowDefinition)?.lagMs ?? 0;
    for (const s of steps) {
      if (running >= this.#concurrency) break;
      if ((s.status !== "NOT_STARTED" && s.status !== "RETRY") || s.executionId) continue;
      const settled = s.to + lag;
      const due = Math.max(s.nextRunAt, settled);
      if (due > now) {
        if (settled > now && s.status === "NOT_STARTED") {
          const message = `Waiting until ${iso(settled)}: the source may not show the window's last ${Math.round(lag / 1000)} s yet.`;
          if (s.executionMessage !== message)
            await this.store.updateStep(s.stepId, { execution_message: message });
        }
        continue;
      }
      await this.#start(s);
      running++;
    }
    steps = await this.store.steps(workflowId);
    const leaves = steps.filter((s) => s.status !== "SPLIT");
    if (leaves.every((s) => s.status === "COMPLETE")) return this.#handOff(wf);
    if (leaves.every((s) => s.status === "COMPLETE" || s.status === "FAILED")) {
      await this.store.update(workflowId, { status: "FAILED", error_description: describeMissing(leaves) });
      return;
    }
    if (wf.status === "NOT_STARTED" && steps.some((s) => s.attempts > 0))
      await this.store.update(workflowId, { status: "IN_PROGRESS" });
  }

  /** Applies a step's finished execution to the step; true while it still runs. */
  async #reconcile(wf: Workflow, s: WorkflowStep): Promise<boolean> {
    const row = await this.#o.engine.executions.get(s.executionId!);
    if (row && (row.status === "InProgress" || row.status === "CancelStarted")) return true;
    const message = row?.execution_message || "The step's execution record is gone.";
    if (row?.status === "Successful") {
      await this.store.updateStep(s.stepId, {
        status: "COMPLETE",
        execution_id: null,
        execution_message: message,
      });
      return false;
    }
    const failure = row?.status === "Canceled" ? "permanent" : classifyFailure(message);
    if (failure === "window_too_large") {
      const halves = halve(s);
      if (halves) {
        await this.#split(wf, s, halves, message);
        return false;
      }
    }
    if (failure === "transient" && s.attempts < this.#maxAttempts) {
      const delay = this.#retryBaseMs * 2 ** (s.attempts - 1);
      const at = this.#o.clock.now() + delay;
      await this.store.updateStep(s.stepId, {
        status: "RETRY",
        execution_id: null,
        next_run_at: at,
        execution_message: clip(
          `Retry ${s.attempts} of ${this.#maxAttempts - 1} at ${iso(at)} after: ${message}`,
        ),
      });
      return false;
    }
    const why = failure === "transient" ? `Failed after ${s.attempts} attempts: ${message}` : message;
    await this.store.updateStep(s.stepId, {
      status: "FAILED",
      execution_id: null,
      execution_message: clip(why),
    });
    return false;
  }

  /** A window too large for the vendor: the step becomes SPLIT and its halves are new steps. */
  async #split(wf: Workflow, s: WorkflowStep, halves: readonly Window[], message: string): Promise<void> {
    await this.#o.db.transaction().execute(async (tx) => {
      const max = await tx
        .selectFrom("workflow_steps")
        .select((eb) => eb.fn.max("seq").as("m"))
        .where("workflow_id", "=", wf.workflowId)
        .executeTakeFirst();
      let seq = Number(max?.m ?? 0);
      if (seq + halves.length > MAX_STEPS) {
        await this.store.updateStep(
          s.stepId,
          {
            status: "FAILED",
            execution_id: null,
            execution_message: clip(`Too many steps to split further: ${message}`),
          },
          tx,
        );
        return;
      }
      for (const h of halves) await this.#addStep(tx, wf, ++seq, h, s.stepId, false);
      await this.store.updateStep(
        s.stepId,
        {
          status: "SPLIT",
          execution_id: null,
          execution_message: clip(`Split into ${halves.length} smaller windows: ${message}`),
        },
        tx,
      );
    });
  }

  async #start(s: WorkflowStep): Promise<void> {
    const flow = await this.#o.flows.get(s.flowName);
    if (!flow) {
      await this.store.updateStep(s.stepId, {
        status: "FAILED",
        execution_message: `The step's flow ${s.flowName} does not exist any more.`,
      });
      return;
    }
    let executionId: string;
    try {
      executionId = await this.#o.engine.runBoundedWindow(flow, s.from, s.to);
    } catch (e) {
      // A crash between starting an execution and recording it leaves it running: adopt it.
      const active = isProfileflowError(e, "CONFLICT")
        ? await this.#o.engine.executions.activeExecution(s.flowName)
        : undefined;
      if (!active) throw e;
      executionId = active;
    }
    await this.store.updateStep(s.stepId, {
      status: s.status === "RETRY" ? "RETRY" : "IN_PROGRESS",
      attempts: s.attempts + 1,
      execution_id: executionId,
      execution_message: `Attempt ${s.attempts + 1} of ${this.#maxAttempts} reading ${iso(s.from)} to ${iso(s.to)}.`,
    });
  }

  /** Every step is COMPLETE: the continuous integration takes over where the history ended. */
  async #handOff(wf: Workflow): Promise<void> {
    const def = continuousDefinition(wf.flowDefinition, wf.historyEnd);
    let flow = await this.#o.flows.get(def.flowName);
    if (flow && flow.workflowId !== wf.workflowId) {
      await this.store.update(wf.workflowId, {
        status: "FAILED",
        error_description: clip(
          `Every step is complete, but a flow named ${def.flowName} already exists, so the continuous integration could not be created.`,
        ),
      });
      return;
    }
    if (!flow) {
      flow = await this.#o.db.transaction().execute(async (tx) => {
        const created = await this.#o.flows.create(
          def,
          { status: "Active", hidden: false, workflowId: wf.workflowId },
          tx,
        );
        await this.#o.integrations.put(
          {
            domainName: wf.domainName,
            uri: created.flowArn,
            objectTypeName: wf.objectTypeName,
            flowName: def.flowName,
            roleArn: wf.roleArn,
            workflowId: wf.workflowId,
            hidden: false,
          },
          tx,
        );
        await this.store.update(wf.workflowId, { integration_uri: created.flowArn }, tx);
        return created;
      });
    }
    // Activation is idempotent: a restart between the transaction above and here activates again.
    await this.#o.engine.activate(flow);
    await this.store.update(wf.workflowId, { status: "COMPLETE", error_description: null });
    this.#o.logger?.info(
      { workflowId: wf.workflowId, flowName: def.flowName, from: iso(wf.historyEnd) },
      "workflow complete: continuous integration started",
    );
  }

  async #addStep(
    tx: DbOrTx,
    wf: Pick<Workflow, "workflowId" | "domainName" | "objectTypeName" | "roleArn" | "flowDefinition">,
    seq: number,
    w: Window,
    parent: string | undefined,
    split: boolean,
  ): Promise<string> {
    const stepId = uuid();
    const flowName = stepFlowName(wf.flowDefinition.flowName, wf.workflowId, seq);
    await createStepFlow(this.#o, wf, flowName, tx);
    await this.store.insertStep(
      {
        stepId,
        workflowId: wf.workflowId,
        seq,
        flowName,
        from: w.from,
        to: w.to,
        parentStepId: parent,
        ...(split
          ? {
              status: "SPLIT" as const,
              message: "Split: the window is longer than the source allows in one read.",
            }
          : {}),
      },
      tx,
    );
    return stepId;
  }

  #objectSpec(def: FlowDefinition): ObjectSpec | undefined {
    const spec = this.#o.connectors[def.sourceFlowConfig.connectorType];
    return (spec?.objects as Record<string, ObjectSpec> | undefined)?.[sourceObject(def.sourceFlowConfig)];
  }

  /** Enqueues an advance now (one waiting per workflow); one advance per workflow runs at a time. */
  async #kick(workflowId: string, tx: DbOrTx = this.#o.db): Promise<void> {
    await this.#o.executor.enqueue(
      {
        task: ADVANCE,
        payload: { workflowId },
        key: `workflow:${workflowId}:advance`,
        keyMode: "preserve",
        queue: `workflow:${workflowId}`,
      },
      tx,
    );
  }

  async #sweep(): Promise<undefined> {
    for (const id of await this.store.unfinished()) await this.#kick(id);
    return undefined;
  }

  async #advanceJob(payload: JobPayload): Promise<JobOutcome> {
    const id = payload["workflowId"];
    if (typeof id !== "string") throw new Error("workflows.advance payload has no workflowId");
    await this.advance(id);
    return undefined;
  }
}

/** The FAILED windows (adjacent ones merged), within ErrorDescription's 255 characters. */
export function missingWindows(steps: readonly WorkflowStep[]): Window[] {
  const out: Window[] = [];
  for (const s of steps.filter((x) => x.status === "FAILED").sort((a, b) => a.from - b.from)) {
    const prev = out[out.length - 1];
    if (prev && prev.to === s.from) out[out.length - 1] = { from: prev.from, to: s.to };
    else out.push({ from: s.from, to: s.to });
  }
  return out;
}

function describeMissing(leaves: readonly WorkflowStep[]): string {
  const failed = leaves.filter((s) => s.status === "FAILED");
  const windows = missingWindows(failed).map((w) => `[${iso(w.from)}, ${iso(w.to)})`);
  return clip(`${failed.length} of ${leaves.length} steps failed; missing windows: ${windows.join(", ")}`);
}

function clip(s: string): string {
  return s.length <= 255 ? s : `${s.slice(0, 252)}...`;
}
