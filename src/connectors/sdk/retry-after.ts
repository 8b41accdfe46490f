/**
 * Parses a `Retry-After` header (delay-seconds or an HTTP date) into milliseconds from `now`.
 * An HTTP date is measured against the server's own `Date` header when given, so clock skew
 * between us and the vendor does not stretch or shrink the wait.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number,
  serverDate?: number,
): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - (serverDate ?? now));
}

/** Parses an HTTP `Date` header into epoch ms, or undefined. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
