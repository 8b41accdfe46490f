import { ConnectorError, cp, type FlatCheckpoint, SeenSet } from "../sdk/index.ts";

/** Where a Marketo read is: bulk sub-windows, lead-change activities, deleted-lead activities, done. */
export type Phase = "bulk" | "changes" | "deletions" | "done";

/** Everything a read needs to continue; written to a flat checkpoint after every page. */
export interface ReadState {
  readonly from: number;
  readonly to: number;
  phase: Phase;
  /** Bulk: index of the current ≤ 30-day sub-window of `[from, to)`. */
  sub: number;
  /** Bulk: the export job of the current sub-window ("" = none yet). */
  exportId: string;
  /** Bulk: "" (not enqueued), "queued" (waiting for Completed) or "completed" (reading the file). */
  job: "" | "queued" | "completed";
  fileSize: number;
  /** Bulk: bytes of the file already handed on (header included). */
  offset: number;
  /** Activities: the paging token to continue from ("" = ask for one at `since`). */
  token: string;
  /** Activities: where lead-change activities start (the window start, or a sub-window on fallback). */
  since: number;
  /** Window read without the bulk updatedAt filter (1035): keep only leads updated inside `[from, to)`. */
  strict: boolean;
  /** (id, ts) read inside the look-back overlap at the end of this read, for the next run. */
  readonly seen: SeenSet;
  /** The previous run's `seen`: exact repeats from the overlap are dropped. */
  readonly prev: SeenSet;
  /** (id, ts) handed on in this read: a lead with several activities is handed on once. */
  readonly run: SeenSet;
}

/** A new read of `[from, to)`, by bulk export (window) or by activities (incremental). */
export function freshState(from: number, to: number, bulk: boolean, prev = SeenSet.empty()): ReadState {
  return {
    from,
    to,
    phase: bulk ? "bulk" : "changes",
    sub: 0,
    exportId: "",
    job: "",
    fileSize: 0,
    offset: 0,
    token: "",
    since: from,
    strict: false,
    seen: SeenSet.empty(),
    prev,
    run: SeenSet.empty(),
  };
}

/** The flat checkpoint of a state. */
export function toCheckpoint(s: ReadState): FlatCheckpoint {
  return {
    v: 1,
    connector: "marketo",
    object: "leads",
    from: s.from,
    to: s.to,
    phase: s.phase,
    sub: s.sub,
    exportId: s.exportId,
    job: s.job,
    fileSize: s.fileSize,
    offset: s.offset,
    token: s.token,
    since: s.since,
    strict: s.strict,
    seen: s.seen.toString(),
    prev: s.prev.toString(),
    run: s.run.toString(),
  };
}

/** The state saved in `c`; a checkpoint of another connector or window is a config error. */
export function fromCheckpoint(c: FlatCheckpoint, window?: { from: number; to: number }): ReadState {
  if (c["v"] !== 1 || c["connector"] !== "marketo" || c["object"] !== "leads") {
    throw new ConnectorError("config", "checkpoint is not a Marketo leads checkpoint");
  }
  const phase = cp.str(c, "phase");
  const job = cp.str(c, "job");
  if (
    !["bulk", "changes", "deletions", "done"].includes(phase) ||
    !["", "queued", "completed"].includes(job)
  ) {
    throw new ConnectorError("config", `checkpoint phase ${phase} / job ${job} is unknown`);
  }
  const from = cp.num(c, "from");
  const to = cp.num(c, "to");
  if (window && (from !== window.from || to > window.to)) {
    throw new ConnectorError("config", "checkpoint belongs to a different window");
  }
  return {
    from,
    to,
    phase: phase as Phase,
    sub: cp.num(c, "sub"),
    exportId: cp.str(c, "exportId"),
    job: job as ReadState["job"],
    fileSize: cp.num(c, "fileSize"),
    offset: cp.num(c, "offset"),
    token: cp.str(c, "token"),
    since: cp.num(c, "since"),
    strict: cp.bool(c, "strict"),
    seen: SeenSet.parse(cp.str(c, "seen")),
    prev: SeenSet.parse(cp.str(c, "prev")),
    run: SeenSet.parse(cp.str(c, "run")),
  };
}
