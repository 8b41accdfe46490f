import {
  checkedObject,
  type HttpClient,
  type Page,
  pageSizeOf,
  type ReadRequest,
  retriedOnAuth,
  runRead,
  startRead,
  type Timer,
} from "../sdk/index.ts";
import { changesStep, deletionsStep } from "./read-activities.ts";
import { bulkStep, emptyFileCache } from "./read-bulk.ts";
import { readStates } from "./read-state.ts";
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
  const object = checkedObject("Marketo", objects, request.object);
  // One call to learn the instance's clock from its Date header (describe is cheap and always allowed).
  const probe = async () => void (await http.request({ path: "/rest/v1/leads/describe.json" }));
  const state = await startRead(request, { object, spec, states: readStates, http, probe });
  const pageSize = pageSizeOf(request, spec);
  const cache = emptyFileCache();
  yield* runRead(state, readStates, (s) =>
    retriedOnAuth(() =>
      s.phase === "bulk"
        ? bulkStep(http, timer, s, pageSize, cache)
        : s.phase === "changes"
          ? changesStep(http, s, pageSize)
          : deletionsStep(http, s, pageSize),
    ),
  );
}
