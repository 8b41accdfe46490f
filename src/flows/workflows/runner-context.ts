import type { Kysely } from "kysely";
import type { ObjectSpec } from "../../connectors/sdk/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { WorkflowRoleActor } from "../../core/workflow-role.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { Database } from "../../db/schema.ts";
import type { Executor } from "../executor.ts";
import { type FlowDefinition, sourceObject } from "../flow-definition.ts";
import type { FlowEngine } from "../flow-engine.ts";
import type { ConnectorCatalog } from "../flow-ports.ts";
import type { FlowStore } from "../flow-store.ts";
import type { IntegrationStore } from "../integration-store.ts";
import type { Window } from "./planner.ts";
import type { WorkflowStore } from "./workflow-store.ts";

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
  /**
   * Authorizes each action a workflow takes against its role's policies (issue 16): every workflow acts
   * as its role, so there is no runner without it.
   */
  readonly role: WorkflowRoleActor<Queryable>;
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
  /** The role the workflow acts as (checked by CreateIntegrationWorkflow: it exists and trusts Customer Profiles). */
  readonly roleArn: string;
  /** The engine's definition (Scheduled), writing into the domain and object type. */
  readonly flowDefinition: FlowDefinition;
  /** Checked, sorted, non-overlapping batches. */
  readonly batches: readonly Window[];
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

/** What the runner's parts share: its options, its store and its resolved limits. */
export interface RunnerContext {
  readonly o: WorkflowRunnerOptions;
  readonly store: WorkflowStore;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
}

/** The source object's spec (lag, largest window) of a workflow's definition, when the connector has one. */
export function objectSpecOf(o: WorkflowRunnerOptions, def: FlowDefinition): ObjectSpec | undefined {
  const spec = o.connectors[def.sourceFlowConfig.connectorType];
  return (spec?.objects as Record<string, ObjectSpec> | undefined)?.[sourceObject(def.sourceFlowConfig)];
}

/** ErrorDescription and ExecutionMessage hold at most 255 characters. */
export function clip(s: string): string {
  return s.length <= 255 ? s : `${s.slice(0, 252)}...`;
}
