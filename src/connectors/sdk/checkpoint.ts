import { z } from "zod";
import { ConnectorError } from "./connector-error.ts";
import { SeenSet } from "./seen-set.ts";
import type { FlatCheckpoint, TimeWindow } from "./types.ts";

/** A SeenSet in its checkpoint form ("" = empty, "!" = overflowed, else hashes joined by commas). */
export const seenSetField = z.codec(
  z.string(),
  z.custom<SeenSet>((v) => v instanceof SeenSet),
  { decode: (s) => SeenSet.parse(s), encode: (s) => s.toString() },
);

/** The fields every connector's read state has: the window and the look-back overlap sets. */
const windowFields = { from: z.number(), to: z.number() };
const overlapFields = { seen: seenSetField, prev: seenSetField };

type StateShape<F extends z.ZodRawShape> = typeof windowFields & F & typeof overlapFields;

/** The read state a codec decodes: the object, the window, the vendor's fields and the overlap sets. */
export type CheckpointState<O extends string, F extends z.ZodRawShape> = {
  object: O;
} & z.output<z.ZodObject<StateShape<F>>>;

/** Reads and writes one connector's flat checkpoints. */
export interface CheckpointCodec<O extends string, S> {
  /** The state saved in `c`; a checkpoint of another connector, object or window is a config error. */
  decode(c: FlatCheckpoint, object: O, window?: TimeWindow): S;
  /** The flat checkpoint of a state (what the flows engine stores). */
  encode(state: S): FlatCheckpoint;
}

/**
 * The one checkpoint codec of the connectors: a versioned flat record `{v: 1, connector, object, from, to,
 * …fields, seen, prev}` described by a zod schema, so the stored shape and the read state are one
 * declaration. `fields` are the vendor's own (in their stored order); `seen`/`prev` travel as strings.
 */
export function checkpointCodec<O extends string, F extends z.ZodRawShape>(
  connector: { readonly id: string; readonly label: string; readonly objects: Readonly<Record<O, unknown>> },
  fields: F,
): CheckpointCodec<O, CheckpointState<O, F>> {
  const state = z.object({ ...windowFields, ...fields, ...overlapFields });
  return {
    decode(c, object, window) {
      if (c["v"] !== 1 || c["connector"] !== connector.id || c["object"] !== object) {
        throw new ConnectorError("config", `checkpoint is not a ${connector.label} ${object} checkpoint`);
      }
      const parsed = state.safeParse(c);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") || "?";
        throw new ConnectorError("config", `checkpoint field "${field}" is invalid: ${issue?.message ?? ""}`);
      }
      const s = { object, ...parsed.data } as CheckpointState<O, F> & TimeWindow;
      if (window && (s.from !== window.from || s.to > window.to)) {
        throw new ConnectorError("config", "checkpoint belongs to a different window");
      }
      return s;
    },
    encode(s) {
      const { object, ...rest } = s as { object: O } & Record<string, unknown>;
      const flat = z.encode(state, rest as z.output<typeof state>) as Record<string, unknown>;
      return { v: 1, connector: connector.id, object, ...flat } as FlatCheckpoint;
    },
  };
}
