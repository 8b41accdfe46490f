/**
 * ServiceNow's raw date-time format (`sysparm_display_value=false`): `YYYY-MM-DD HH:mm:ss`, always UTC,
 * one-second resolution. Text literals in encoded queries are read as UTC too.
 */

const pattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Formats epoch milliseconds as a ServiceNow UTC date-time string (milliseconds dropped, not rounded). */
export function toGlide(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Parses a ServiceNow UTC date-time string into epoch milliseconds; undefined when it is not one. */
export function parseGlide(s: string): number | undefined {
  const m = pattern.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}
