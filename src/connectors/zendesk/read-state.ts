import { z } from "zod";
import { type CheckpointState, checkpointCodec, type ReadStates, SeenSet } from "../sdk/index.ts";
import { objects, type ZendeskObject } from "./spec.ts";

const fields = {
  done: z.boolean(),
  /** The export's `after_cursor` after the last page handed on ("" = not started: use start_time). */
  cursor: z.string(),
};

/** Everything a read needs to continue; its checkpoint after every page. */
export type ReadState = CheckpointState<ZendeskObject, typeof fields>;

const codec = checkpointCodec({ id: "zendesk", label: "Zendesk", objects }, fields);

/** How Zendesk reads start, end and are saved. */
export const readStates: ReadStates<ZendeskObject, ReadState> = {
  ...codec,
  fresh: (object, from, to, _kind, prev) => ({
    object,
    from,
    to,
    done: false,
    cursor: "",
    seen: SeenSet.empty(),
    prev,
  }),
  finished: (s) => s.done,
  finish: (s) => {
    s.done = true;
  },
};
