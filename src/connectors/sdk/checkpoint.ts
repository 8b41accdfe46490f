import { ConnectorError } from "./connector-error.ts";
import type { FlatCheckpoint } from "./types.ts";

/** Typed reads of a flat checkpoint; a missing or mistyped field is a config error (wrong checkpoint). */
export const cp = {
  str(c: FlatCheckpoint, k: string): string {
    const v = c[k];
    if (typeof v !== "string") throw bad(k, "string");
    return v;
  },
  num(c: FlatCheckpoint, k: string): number {
    const v = c[k];
    if (typeof v !== "number" || !Number.isFinite(v)) throw bad(k, "number");
    return v;
  },
  bool(c: FlatCheckpoint, k: string): boolean {
    const v = c[k];
    if (typeof v !== "boolean") throw bad(k, "boolean");
    return v;
  },
};

function bad(k: string, type: string): ConnectorError {
  return new ConnectorError("config", `checkpoint field "${k}" is missing or not a ${type}`);
}

/** Throws unless every value is a JSON primitive (what the flows engine stores). */
export function assertFlat(c: Record<string, unknown>): FlatCheckpoint {
  for (const [k, v] of Object.entries(c)) {
    if (v !== null && !["string", "number", "boolean"].includes(typeof v)) {
      throw new ConnectorError("bug", `checkpoint field "${k}" is not a JSON primitive`);
    }
  }
  return c as FlatCheckpoint;
}
