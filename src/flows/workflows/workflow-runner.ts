import { ProfileflowError } from "../../core/errors.ts";
import { hexId } from "../../core/ids.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { JobOutcome, JobPayload } from "../executor.ts";
import type { ExecutionFinished } from "../flow-engine.ts";
import { asRole } from "./act-as-role.ts";
import { iso, MAX_STEPS, planSteps, type Window } from "./planner.ts";
import { createFlowActions } from "./role-actions.ts";
import {
  clip,
  type NewWorkflow,
  objectSpecOf,
  type RunnerContext,
  type WorkflowRunnerOptions,
} from "./runner-context.ts";
import { stepFlowName } from "./step-flows.ts";
import { reconcileStep } from "./step-outcome.ts";
import { describeMissing, handOff } from "./workflow-outcome.ts";
import { addStep, type StepParent, startStep } from "./workflow-steps.ts";
import { type Workflow, WorkflowStore } from "./workflow-store.ts";

export type { NewWorkflow, WorkflowRunnerOptions } from "./runner-context.ts";
export { missingWindows } from "./workflow-outcome.ts";

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
  /** What the step and hand-off functions share with the runner. */
  readonly #c: RunnerContext;
  readonly #concurrency: number;

  constructor(o: WorkflowRunnerOptions) {
    this.#o = o;
    this.store = new WorkflowStore(o.clock);
    this.#c = {
      o,
      store: this.store,
      maxAttempts: o.maxAttempts ?? 4,
      retryBaseMs: o.retryBaseMs ?? 60_000,
    };
    this.#concurrency = o.maxConcurrentSteps ?? 1;
    o.executor.define(ADVANCE, (p) => this.#advanceJob(p));
    o.executor.define(SWEEP, () => this.#sweep());
  }

  /**
   * Installs the sweep and resumes every unfinished workflow (call once per process). Due retries and
   * waits are found by the sweep, a schedule on our clock, rather than by jobs with a future run-at:
   * a queue that keeps time by its database's clock would run those early, over and over.
   */
  async init(): Promise<void> {
    await this.#o.executor.schedule(this.#o.db, {
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
    return this.#o.db.transaction().execute((tx) => this.createIn(tx, w));
  }

  /**
   * Creates a workflow inside the caller's transaction: the workflow row, one step per batch (a batch
   * longer than the source allows in one read is split at once), each with its hidden flow and
   * integration, and the job that starts it.
   */
  async createIn(tx: Queryable, w: NewWorkflow): Promise<Workflow> {
    const workflowId = hexId();
    const last = w.batches[w.batches.length - 1];
    if (!last)
      throw new ProfileflowError("VALIDATION_FAILED", "A workflow needs at least one batch.", {
        member: "Batches",
      });
    const maxWindowMs = objectSpecOf(this.#o, w.flowDefinition)?.maxWindowMs;
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
    const plan = planSteps(w.batches, maxWindowMs);
    if (plan.length > MAX_STEPS)
      throw new ProfileflowError(
        "VALIDATION_FAILED",
        `The workflow would need ${plan.length} steps; at most ${MAX_STEPS} are allowed.`,
        { member: "Batches" },
      );
    // Every flow and integration the steps need is created as the role: a refusal fails the workflow
    // before anything is created (its ErrorDescription is AWS's AccessDenied sentence).
    const denial = await this.#deniedCreate(tx, wf, plan.length);
    if (denial) {
      await this.store.insert(tx, { ...wf, status: "FAILED", errorDescription: clip(denial.message) });
      return (await this.store.get(tx, workflowId))!;
    }
    await this.store.insert(tx, wf);
    let parent: string | undefined;
    for (const [i, p] of plan.entries()) {
      const id = await addStep(this.#c, tx, wf, i + 1, p.window, p.child ? parent : undefined, p.split);
      if (!p.child) parent = id;
    }
    await this.#kick(tx, workflowId);
    return (await this.store.get(tx, workflowId))!;
  }

  /** The first action the role is refused among creating steps 1..count's flows and integrations. */
  async #deniedCreate(tx: Queryable, wf: StepParent, count: number) {
    const profile = wf.flowDefinition.sourceFlowConfig.connectorProfileName ?? "";
    const actions = [];
    for (let seq = 1; seq <= count; seq++) {
      const arn = this.#o.flows.arnOf(stepFlowName(wf.flowDefinition.flowName, wf.workflowId, seq));
      actions.push(...createFlowActions(arn, wf.domainName, profile));
    }
    return asRole(this.#c, tx, wf, actions);
  }

  /** The engine's onFinished: a step's execution ended, so its workflow has something to decide. */
  readonly onExecutionFinished = async (e: ExecutionFinished): Promise<void> => {
    const db = this.#o.db;
    const step =
      (await this.store.stepByExecution(db, e.executionId)) ?? (await this.store.stepByFlow(db, e.flowName));
    if (step) await this.#kick(db, step.workflowId);
  };

  /** Re-runs the FAILED steps' windows (attempts start over), in one transaction; returns those windows. */
  async rerunFailed(domainName: string, workflowId: string): Promise<Window[]> {
    return this.#o.db.transaction().execute((tx) => this.rerunFailedIn(tx, domainName, workflowId));
  }

  /** rerunFailed inside the caller's transaction. */
  async rerunFailedIn(tx: Queryable, domainName: string, workflowId: string): Promise<Window[]> {
    const wf = await this.store.require(tx, domainName, workflowId);
    const failed = (await this.store.steps(tx, workflowId)).filter((s) => s.status === "FAILED");
    if (failed.length === 0 || wf.status === "CANCELLED") {
      throw new ProfileflowError("CONFLICT", `Workflow ${workflowId} has no failed steps to re-run.`);
    }
    for (const s of failed) {
      await this.store.updateStep(tx, s.stepId, {
        status: "NOT_STARTED",
        attempts: 0,
        next_run_at: 0,
        execution_id: null,
        execution_message: "Re-run requested.",
      });
    }
    await this.store.update(tx, workflowId, { status: "IN_PROGRESS", error_description: null });
    await this.#kick(tx, workflowId);
    return failed.map((s) => ({ from: s.from, to: s.to }));
  }

  /** Decides everything that is due for one workflow now (also run by the `workflows.advance` job). */
  async advance(workflowId: string): Promise<void> {
    const db = this.#o.db;
    const wf = await this.store.get(db, workflowId);
    if (!wf || wf.status === "COMPLETE" || wf.status === "FAILED" || wf.status === "CANCELLED") return;
    let running = 0;
    for (const s of await this.store.steps(db, workflowId)) {
      if (s.executionId && (await reconcileStep(this.#c, wf, s))) running++;
      if (await this.#failed(workflowId)) return; // its role was refused an action
    }
    await this.#startDue(wf, running);
    if (await this.#failed(workflowId)) return;
    const steps = await this.store.steps(db, workflowId);
    const leaves = steps.filter((s) => s.status !== "SPLIT");
    if (leaves.every((s) => s.status === "COMPLETE")) return handOff(this.#c, wf);
    if (leaves.every((s) => s.status === "COMPLETE" || s.status === "FAILED")) {
      await this.store.update(db, workflowId, {
        status: "FAILED",
        error_description: describeMissing(leaves),
      });
      return;
    }
    if (wf.status === "NOT_STARTED" && steps.some((s) => s.attempts > 0))
      await this.store.update(db, workflowId, { status: "IN_PROGRESS" });
  }

  /** Starts the steps that are due, up to the concurrency limit (`running` already run); notes lag waits. */
  async #startDue(wf: Workflow, running: number): Promise<void> {
    const db = this.#o.db;
    const now = this.#o.clock.now();
    const lag = objectSpecOf(this.#o, wf.flowDefinition)?.lagMs ?? 0;
    for (const s of await this.store.steps(db, wf.workflowId)) {
      if (running >= this.#concurrency) break;
      if ((s.status !== "NOT_STARTED" && s.status !== "RETRY") || s.executionId) continue;
      const settled = s.to + lag;
      const due = Math.max(s.nextRunAt, settled);
      if (due > now) {
        if (settled > now && s.status === "NOT_STARTED") {
          const message = `Waiting until ${iso(settled)}: the source may not show the window's last ${Math.round(lag / 1000)} s yet.`;
          if (s.executionMessage !== message)
            await this.store.updateStep(db, s.stepId, { execution_message: message });
        }
        continue;
      }
      if (!(await startStep(this.#c, wf, s))) return; // refused: the workflow is FAILED
      running++;
    }
  }

  /** Whether the workflow ended FAILED (a refused action fails it at once). */
  async #failed(workflowId: string): Promise<boolean> {
    return (await this.store.get(this.#o.db, workflowId))?.status === "FAILED";
  }

  /** Enqueues an advance now (one waiting per workflow); one advance per workflow runs at a time. */
  async #kick(tx: Queryable, workflowId: string): Promise<void> {
    await this.#o.executor.enqueue(tx, {
      task: ADVANCE,
      payload: { workflowId },
      key: `workflow:${workflowId}:advance`,
      keyMode: "preserve",
      queue: `workflow:${workflowId}`,
    });
  }

  async #sweep(): Promise<undefined> {
    for (const id of await this.store.unfinished(this.#o.db)) await this.#kick(this.#o.db, id);
    return undefined;
  }

  async #advanceJob(payload: JobPayload): Promise<JobOutcome> {
    const id = payload["workflowId"];
    if (typeof id !== "string") throw new Error("workflows.advance payload has no workflowId");
    await this.advance(id);
    return undefined;
  }
}
