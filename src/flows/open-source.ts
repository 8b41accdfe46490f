import type { Connector, FlatCheckpoint, ReadRequest } from "../connectors/sdk/index.ts";
import { sinceCheckpointColumn } from "./checkpoint-columns.ts";
import type { ExecutionRow } from "./execution-record.ts";
import { sourceObject } from "./flow-definition.ts";
import type { ConnectorCredentialsResolver } from "./flow-ports.ts";
import { ReadAhead } from "./read-ahead.ts";
import type { RunPlan } from "./run-plan.ts";
import { failRun, type RunResult } from "./run-result.ts";
import { DEFAULT_READ_AHEAD, type RunnerDeps } from "./runner-deps.ts";

/** An open source: its pages, and what closes it (read-ahead, connector, instance slot). */
export interface OpenSource {
  readonly pages: ReadAhead;
  close(): Promise<void>;
}

/** Opens the connector on the profile, within the instance's limits; a wait or a failure ends the run. */
export async function openSource(
  deps: RunnerDeps,
  row: ExecutionRow,
  plan: RunPlan,
  owner: string,
  checkpoint: FlatCheckpoint | undefined,
): Promise<OpenSource | RunResult> {
  const id = row.execution_id;
  const connectorType = plan.flow.definition.sourceFlowConfig.connectorType;
  let profile: Awaited<ReturnType<ConnectorCredentialsResolver["resolve"]>>;
  try {
    profile = await deps.credentials.resolve(plan.profileName);
  } catch (e) {
    return failRun(
      deps,
      id,
      owner,
      `Connector profile ${plan.profileName} could not be opened: ${(e as Error).message}`,
    );
  }
  const gate = await deps.instanceLimits?.enter({
    connectorType,
    instanceUrl: profile.instanceUrl,
    executionId: id,
    owner,
    backfill: row.trigger_kind === "Window",
  });
  if (gate && !gate.ok) {
    const message = `Waiting for the source: ${gate.reason}.`;
    await deps.store.release(deps.db, id, owner, { message, until: gate.retryAt });
    return { kind: "wait", at: gate.retryAt };
  }
  const leave = async () => {
    await gate?.leave?.().catch(() => {});
  };
  let connector: Connector | undefined;
  try {
    connector = plan.spec.open(profile, {
      timer: deps.timer,
      onRefreshToken: (t) => deps.credentials.saveRefreshToken?.(plan.profileName, t),
      ...(gate?.budget ? { rateBudget: gate.budget } : {}),
    });
    const request = readRequest(row, sourceObject(plan.flow.definition.sourceFlowConfig), checkpoint);
    const pages = new ReadAhead(connector.read(request), deps.readAhead ?? DEFAULT_READ_AHEAD);
    const open = connector;
    return {
      pages,
      close: async () => {
        await pages.abandon();
        await open.close().catch(() => {});
        await leave();
      },
    };
  } catch (e) {
    await connector?.close().catch(() => {});
    await leave();
    throw e;
  }
}

/** What the connector reads: the window, or since the checkpoint (resumed, incremental, or from the start). */
function readRequest(row: ExecutionRow, object: string, resume: FlatCheckpoint | undefined): ReadRequest {
  if (row.pull_mode === "Window") {
    const window = { from: row.window_from ?? 0, to: row.window_to ?? 0 };
    return resume ? { object, window, resume } : { object, window };
  }
  if (resume) return { object, since: resume };
  if (row.pull_mode === "Incremental" && row.since_checkpoint) {
    return { object, since: sinceCheckpointColumn.parse(row.since_checkpoint) };
  }
  return { object, since: row.window_from ?? 0 };
}
