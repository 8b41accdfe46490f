import { z } from "zod";
import {
  type CheckpointState,
  checkpointCodec,
  type ReadStates,
  SeenSet,
  seenSetField,
} from "../sdk/index.ts";
import { type MarketoObject, objects } from "./spec.ts";

const fields = {
  /** Where a read is: bulk sub-windows, lead-change activities, deleted-lead activities, done. */
  phase: z.enum(["bulk", "changes", "deletions", "done"]),
  /** Bulk: index of the current ≤ 30-day sub-window of `[from, to)`. */
  sub: z.number(),
  /** Bulk: the export job of the current sub-window ("" = none yet). */
  exportId: z.string(),
  /** Bulk: "" (not enqueued), "queued" (waiting for Completed) or "completed" (reading the file). */
  job: z.enum(["", "queued", "completed"]),
  fileSize: z.number(),
  /** Bulk: bytes of the file already handed on (header included). */
  offset: z.number(),
  /** Activities: the paging token to continue from ("" = ask for one at `since`). */
  token: z.string(),
  /** Activities: where lead-change activities start (the window start, or a sub-window on fallback). */
  since: z.number(),
  /** Window read without the bulk updatedAt filter (1035): keep only leads updated inside `[from, to)`. */
  strict: z.boolean(),
  /** (id, ts) handed on in this read: a lead with several activities is handed on once. */
  run: seenSetField,
};

/** Everything a read needs to continue; its checkpoint after every page. */
export type ReadState = CheckpointState<MarketoObject, typeof fields>;

const codec = checkpointCodec({ id: "marketo", label: "Marketo", objects }, fields);

/** How Marketo reads start, end and are saved: a window by bulk export, an incremental read by activities. */
export const readStates: ReadStates<MarketoObject, ReadState> = {
  ...codec,
  fresh: (object, from, to, kind, prev) => ({
    object,
    from,
    to,
    phase: kind === "window" ? "bulk" : "changes",
    sub: 0,
    exportId: "",
    job: "",
    fileSize: 0,
    offset: 0,
    token: "",
    since: from,
    strict: false,
    run: SeenSet.empty(),
    seen: SeenSet.empty(),
    prev,
  }),
  finished: (s) => s.phase === "done",
  finish: (s) => {
    s.phase = "done";
  },
};
