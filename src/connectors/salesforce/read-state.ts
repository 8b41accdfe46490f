import { ConnectorError, cp, type FlatCheckpoint, SeenSet } from "../sdk/index.ts";
import type { Keyset } from "./query.ts";
import type { SalesforceObject } from "./spec.ts";

/** records (SOQL over the window, deleted rows included) → deleted (the purge feed) → done. */
export type Phase = "records" | "deleted" | "done";

/**
 * Everything a read needs to continue, flattened into the checkpoint after every page. The window
 * `[from, to)` is read in segments `[lo, hi)` (one segment unless QUERY_TIMEOUT split it); inside a segment
 * the position is the keyset (last SystemModstamp, Id) plus the REST locator or Bulk job + locator.
 */
export interface ReadState {
  readonly object: SalesforceObject;
  readonly from: number;
  readonly to: number;
  lo: number;
  hi: number;
  phase: Phase;
  mode: "rest" | "bulk";
  pos: Keyset | undefined;
  /** REST nextRecordsUrl of the current query ("" = issue a query from the keyset). */
  next: string;
  job: string;
  jobReady: boolean;
  locator: string;
  /** Bulk rows so far came in (SystemModstamp) order, so the keyset is a safe restart point. */
  ordered: boolean;
  delOffset: number;
  readonly seen: SeenSet;
  readonly prev: SeenSet;
}

/** A new read of `[from, to)`; `prev` holds what the previous run read in its overlap. */
export function freshState(
  object: SalesforceObject,
  from: number,
  to: number,
  prev = SeenSet.empty(),
): ReadState {
  return {
    object,
    from,
    to,
    lo: from,
    hi: to,
    phase: "records",
    mode: "rest",
    pos: undefined,
    next: "",
    job: "",
    jobReady: false,
    locator: "",
    ordered: true,
    delOffset: 0,
    seen: SeenSet.empty(),
    prev,
  };
}

/** The flat checkpoint of a state. */
export function toCheckpoint(s: ReadState): FlatCheckpoint {
  return {
    v: 1,
    connector: "salesforce",
    object: s.object,
    from: s.from,
    to: s.to,
    lo: s.lo,
    hi: s.hi,
    phase: s.phase,
    mode: s.mode,
    at: s.pos?.at ?? -1,
    after: s.pos?.after ?? "",
    next: s.next,
    job: s.job,
    jobReady: s.jobReady,
    locator: s.locator,
    ordered: s.ordered,
    delOffset: s.delOffset,
    seen: s.seen.toString(),
    prev: s.prev.toString(),
  };
}

/** Reads a checkpoint back; config error when it is not one of ours for this object (and window). */
export function fromCheckpoint(
  c: FlatCheckpoint,
  object: SalesforceObject,
  window?: { from: number; to: number },
): ReadState {
  if (c["v"] !== 1 || c["connector"] !== "salesforce" || c["object"] !== object) {
    throw new ConnectorError("config", `checkpoint is not a Salesforce ${object} checkpoint`);
  }
  const phase = cp.str(c, "phase");
  if (phase !== "records" && phase !== "deleted" && phase !== "done") {
    throw new ConnectorError("config", `checkpoint phase ${phase} is unknown`);
  }
  const mode = cp.str(c, "mode");
  if (mode !== "rest" && mode !== "bulk")
    throw new ConnectorError("config", `checkpoint mode ${mode} is unknown`);
  const from = cp.num(c, "from");
  const to = cp.num(c, "to");
  if (window && (from !== window.from || to > window.to)) {
    throw new ConnectorError("config", "checkpoint belongs to a different window");
  }
  const at = cp.num(c, "at");
  return {
    object,
    from,
    to,
    lo: cp.num(c, "lo"),
    hi: cp.num(c, "hi"),
    phase,
    mode,
    pos: at < 0 ? undefined : { at, after: cp.str(c, "after") },
    next: cp.str(c, "next"),
    job: cp.str(c, "job"),
    jobReady: cp.bool(c, "jobReady"),
    locator: cp.str(c, "locator"),
    ordered: cp.bool(c, "ordered"),
    delOffset: cp.num(c, "delOffset"),
    seen: SeenSet.parse(cp.str(c, "seen")),
    prev: SeenSet.parse(cp.str(c, "prev")),
  };
}
