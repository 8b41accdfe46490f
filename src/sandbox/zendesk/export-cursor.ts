/**
 * Zendesk's incremental-export cursors: opaque base64 of `<epoch seconds>.0||<id>|` (the shape of the cursors
 * in Zendesk's own examples, e.g. `MTU3NjYxMzUzOS4wfHw0Njd8`). A cursor names the last item already served.
 */

/** A position in the (change time, id) order: the stream continues strictly after it. */
export interface StreamPosition {
  ts: number;
  id: number;
}

/** Encodes a position as an export cursor. */
export function encodeExportCursor(p: StreamPosition): string {
  return Buffer.from(`${p.ts}.0||${p.id}|`).toString("base64");
}

/** Decodes an export cursor; undefined when it is not one of ours. */
export function decodeExportCursor(cursor: string): StreamPosition | undefined {
  const m = /^(\d+)\.0\|\|(\d+)\|$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : undefined;
}

/** True when item (ts, id) comes strictly after position `p`. */
export function isAfter(ts: number, id: number, p: StreamPosition): boolean {
  return ts > p.ts || (ts === p.ts && id > p.id);
}
