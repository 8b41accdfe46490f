import { z } from "zod";
import { type CheckpointState, checkpointCodec, type ReadStates, SeenSet } from "../sdk/index.ts";
import type { Keyset } from "./query.ts";
import { objects, type ServiceNowObject } from "./spec.ts";

const fields = {
  /** records (the table) → deletions (sys_audit_delete) → done. */
  phase: z.enum(["records", "deletions", "done"]),
  /** The keyset position: the last (timestamp, sys_id) handed on, as the vendor wrote them ("" = none). */
  at: z.string(),
  after: z.string(),
  /** Rows to skip at the position: only after pages that ACLs emptied while the Link header said more follow. */
  skip: z.number(),
};

/** Everything a read needs to continue; its checkpoint after every page. */
export type ReadState = CheckpointState<ServiceNowObject, typeof fields>;

const codec = checkpointCodec({ id: "servicenow", label: "ServiceNow", objects }, fields);

/** How ServiceNow reads start, end and are saved. */
export const readStates: ReadStates<ServiceNowObject, ReadState> = {
  ...codec,
  fresh: (object, from, to, _kind, prev) => ({
    object,
    from,
    to,
    phase: "records",
    at: "",
    after: "",
    skip: 0,
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
  return s.at === "" ? undefined : { at: s.at, after: s.after };
}

/** Moves the keyset position (undefined: back to the start of the phase). */
export function moveKeyset(s: ReadState, k: Keyset | undefined): void {
  s.at = k?.at ?? "";
  s.after = k?.after ?? "";
}
