import { createHash } from "node:crypto";

/** The MatchId of two profiles: the same whichever comes first. */
export function matchIdOf(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return createHash("sha256").update(`${x}\u0000${y}`).digest("hex").slice(0, 32);
}
