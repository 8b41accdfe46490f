import type { CheckpointCodec } from "./checkpoint.ts";
import type { ObjectSpec } from "./define-connector.ts";
import type { HttpClient } from "./http-client.ts";
import { SeenSet } from "./seen-set.ts";
import { isWindowRead, type Page, type ReadRequest } from "./types.ts";

/** The state every connector's read keeps: its window end and the (id, ts) read in its look-back overlap. */
interface ReadStateBase {
  readonly to: number;
  readonly from: number;
  readonly seen: SeenSet;
}

/** How a connector's read state starts, ends and is saved: its checkpoint codec plus three small hooks. */
export interface ReadStates<O extends string, S extends ReadStateBase> extends CheckpointCodec<O, S> {
  /** A new read of `[from, to)`: a bounded window (backfill) or an incremental run; `prev` is the last run's overlap. */
  fresh(object: O, from: number, to: number, kind: "window" | "incremental", prev: SeenSet): S;
  /** True once the read has handed on its last page. */
  finished(s: S): boolean;
  /** Marks a read with nothing (left) to read as finished. */
  finish(s: S): void;
}

/** What starting a read needs beyond the request. */
interface ReadStart<O extends string, S extends ReadStateBase> {
  readonly object: O;
  readonly spec: ObjectSpec;
  readonly states: ReadStates<O, S>;
  /** The client whose `Date` headers tell the vendor's clock. */
  readonly http: HttpClient;
  /** One cheap request to learn the vendor's clock; absent when the read has already made one. */
  readonly probe?: () => Promise<void>;
}

const hour = 3_600_000;

/**
 * The state a read starts from. A window resumes its checkpoint or starts fresh, never past the vendor's now
 * minus the object's lag (records still being committed would be missed for good). An incremental read starts
 * at a time, resumes an unfinished checkpoint, or starts the next run at a finished one's end minus the
 * look-back overlap, up to the vendor's now minus the lag.
 */
export async function startRead<O extends string, S extends ReadStateBase>(
  req: ReadRequest,
  r: ReadStart<O, S>,
): Promise<S> {
  const { object, spec, states, http } = r;
  const vendorNow = async () => {
    if (r.probe && !http.knowsServerTime) await r.probe();
    return http.serverNow() - spec.lagMs;
  };
  if (isWindowRead(req)) {
    if (req.resume) return states.decode(req.resume, object, req.window);
    const { from, to } = req.window;
    const limit = to > http.serverNow() - spec.lagMs - hour ? await vendorNow() : to;
    return states.fresh(object, from, Math.min(to, limit), "window", SeenSet.empty());
  }
  if (typeof req.since === "number") {
    return states.fresh(object, req.since, await vendorNow(), "incremental", SeenSet.empty());
  }
  const last = states.decode(req.since, object);
  if (!states.finished(last)) return last;
  const to = await vendorNow();
  if (to <= last.to) return last; // nothing new is settled yet
  return states.fresh(object, last.to - spec.lookbackMs, to, "incremental", last.seen);
}

/** What one step of a read hands on (the checkpoint and the end signal are added from the state). */
export type StepResult = Omit<Page, "checkpoint" | "done">;

/**
 * Runs a read from its start state: one step per page, each page with the checkpoint of the state after it,
 * until the state is finished. A state that is finished, or whose window is empty, yields one done page.
 */
export async function* runRead<O extends string, S extends ReadStateBase>(
  state: S,
  states: ReadStates<O, S>,
  step: (s: S) => Promise<StepResult>,
): AsyncGenerator<Page> {
  if (states.finished(state) || state.to <= state.from) {
    states.finish(state);
    yield { records: [], deletions: [], rejected: [], checkpoint: states.encode(state), done: true };
    return;
  }
  for (;;) {
    const taken = await step(state);
    const done = states.finished(state);
    yield { ...taken, checkpoint: states.encode(state), done };
    if (done) return;
  }
}

/** The page size of a read: the request's, else the object's default, within 1..maxPageSize. */
export function pageSizeOf(req: ReadRequest, spec: ObjectSpec): number {
  return Math.min(Math.max(1, Math.floor(req.pageSize ?? spec.defaultPageSize)), spec.maxPageSize);
}
