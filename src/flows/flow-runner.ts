import type { Queryable } from "../db/queryable.ts";
import type { ExecutionRecord } from "./execution-record.ts";
import type { StoredFlow } from "./flow-definition.ts";

/**
 * What the flow service needs from the execution engine (FlowEngine implements it). Every `…In` method
 * runs inside the caller's transaction: its schedule changes, execution rows and queued jobs commit or
 * roll back with the caller's other changes.
 */
export interface FlowRunner {
  /** A scheduled flow starts running on its schedule (an OnDemand flow: nothing). */
  activateIn(tx: Queryable, flow: StoredFlow): Promise<void>;
  /** A scheduled flow stops being scheduled (running executions finish). */
  deactivateIn(tx: Queryable, flowName: string): Promise<void>;
  /** Starts a Complete pull now; CONFLICT while one is active. Returns the execution id. */
  startOnDemandIn(tx: Queryable, flow: StoredFlow): Promise<string>;
  /** Cancels executions (all active ones when `ids` is empty); returns the ids that were not active. */
  cancelIn(tx: Queryable, flowName: string, ids: readonly string[]): Promise<{ invalidExecutions: string[] }>;
  /** Forgets a deleted flow: its schedule, executions and sync state. */
  forgetIn(tx: Queryable, flowName: string): Promise<void>;
  /** True while an execution of the flow is in progress. */
  isRunning(q: Queryable, flowName: string): Promise<boolean>;
  /** The flow's executions, newest first, paged by an opaque token. */
  listExecutions(
    q: Queryable,
    flowName: string,
    page: { limit: number; after?: string | undefined },
  ): Promise<{ items: ExecutionRecord[]; next?: string | undefined }>;
}
