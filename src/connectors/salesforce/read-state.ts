import { z } from "zod";
import { type CheckpointState, checkpointCodec, type ReadStates, SeenSet } from "../sdk/index.ts";
import type { Keyset } from "./query.ts";
import { objects, type SalesforceObject } from "./spec.ts";

/**
 * The window `[from, to)` is read in segments `[lo, hi)` (one segment unless QUERY_TIMEOUT split it); inside
 * a segment the position is the keyset (last SystemModstamp, Id) plus the REST locator or Bulk job + locator.
 */
const fields = {
  lo: z.number(),
  hi: z.number(),
  /** records (SOQL over the window, deleted rows included) → deleted (the purge feed) → done. */
  phase: z.enum(["records", "deleted", "done"]),
  mode: z.enum(["rest", "bulk"]),
  /** The keyset: last SystemModstamp (-1 = none) and Id handed on. */
  at: z.number(),
  after: z.string(),
  /** REST nextRecordsUrl of the current query ("" = issue a query from the keyset). */
  next: z.string(),
  job: z.string(),
  jobReady: z.boolean(),
  locator: z.string(),
  /** Bulk rows so far came in (SystemModstamp) order, so the keyset is a safe restart point. */
  ordered: z.boolean(),
  delOffset: z.number(),
};

/** Everything a read needs to continue; its checkpoint after every page. */
export type ReadState = CheckpointState<SalesforceObject, typeof fields>;

const codec = checkpointCodec({ id: "salesforce", label: "Salesforce", objects }, fields);

/** How Salesforce reads start, end and are saved. */
export const readStates: ReadStates<SalesforceObject, ReadState> = {
  ...codec,
  fresh: (object, from, to, _kind, prev) => ({
    object,
    from,
    to,
    lo: from,
    hi: to,
    phase: "records",
    mode: "rest",
    at: -1,
    after: "",
    next: "",
    job: "",
    jobReady: false,
    locator: "",
    ordered: true,
    delOffset: 0,
    seen: SeenSet.empty(),
    prev,
  }),
  finished: (s) => s.phase === "done",
  finish: (s) => {
    s.phase = "done";
  },
};

/** The keyset position of a state, if any. */
export function keysetOf(s: ReadState): Keyset | undefined {
  return s.at < 0 ? undefined : { at: s.at, after: s.after };
}

/** Moves the keyset position (undefined: back to the segment start). */
export function moveKeyset(s: ReadState, k: Keyset | undefined): void {
  s.at = k?.at ?? -1;
  s.after = k?.after ?? "";
}
