import {
  ConnectorError,
  type HttpClient,
  isWindowRead,
  type Page,
  type ReadRequest,
  type Timer,
} from "../sdk/index.ts";
import { authRetried } from "./auth.ts";
import { changesStep, deletionsStep } from "./read-activities.ts";
import { bulkStep, emptyFileCache } from "./read-bulk.ts";
import { freshState, fromCheckpoint, type ReadState, toCheckpoint } from "./read-state.ts";
import { objects } from "./spec.ts";

const spec = objects.leads;

/**
 * Reads leads. A window `[from, to)` (backfill) goes through Bulk Lead Extract in ≤ 30-day sub-windows
 * filtered on updatedAt; an incremental read follows lead-change activities from a paging token and fetches
 * the changed leads by id. Both finish with the deleted-lead activities of their range as delete events.
 * Every page carries the flat checkpoint; `done` comes only after `moreResult:false` (or the range's end).
 */
export async function* readMarketo(
  http: HttpClient,
  timer: Timer,
  request: ReadRequest,
): AsyncGenerator<Page> {
  const s = await startState(http, request);
  const pageSize = Math.min(
    Math.max(1, Math.floor(request.pageSize ?? spec.defaultPageSize)),
    spec.maxPageSize,
  );
  if (s.phase === "done" || s.to <= s.from) {
    s.phase = "done";
    yield { records: [], deletions: [], rejected: [], checkpoint: toCheckpoint(s), done: true };
    return;
  }
  const cache = emptyFileCache();
  for (;;) {
    const step = await authRetried(() =>
      s.phase === "bulk"
        ? bulkStep(http, timer, s, pageSize, cache)
        : s.phase === "changes"
          ? changesStep(http, s, pageSize)
          : deletionsStep(http, s, pageSize),
    );
    const done = (s.phase as string) === "done"; // the step moved it
    yield { ...step, checkpoint: toCheckpoint(s), done };
    if (done) return;
  }
}

async function startState(http: HttpClient, req: ReadRequest): Promise<ReadState> {
  if (req.object !== "leads")
    throw new ConnectorError("config", `Marketo object ${req.object} is not supported`);
  const vendorNow = async () => {
    // One call to learn the instance's clock from its Date header (describe is cheap and always allowed).
    if (!http.knowsServerTime) await http.request({ path: "/rest/v1/leads/describe.json" });
    return http.serverNow() - spec.lagMs;
  };
  if (isWindowRead(req)) {
    if (req.resume) return fromCheckpoint(req.resume, req.window);
    const { from, to } = req.window;
    // Never read up to the instance's now: changes still being written would be missed for good.
    const limit = to > http.serverNow() - spec.lagMs - 3_600_000 ? await vendorNow() : to;
    return freshState(from, Math.min(to, limit), true);
  }
  if (typeof req.since === "number") return freshState(req.since, await vendorNow(), false);
  const last = fromCheckpoint(req.since);
  if (last.phase !== "done") return last;
  const to = await vendorNow();
  if (to <= last.to) return last; // nothing new is settled yet
  return freshState(last.to - spec.lookbackMs, to, false, last.seen);
}
