/** Value coercions shared by the compiled tasks; all pure. */

/** A vendor datetime as epoch ms: numbers as they are, ISO strings, ServiceNow's `YYYY-MM-DD HH:MM:SS` (UTC). */
export function toMillis(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || v === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const glide = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(v);
  const t = Date.parse(glide ? `${glide[1]}T${glide[2]}Z` : v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(t) ? undefined : t;
}

/** A number from a number or a numeric string. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** How a Filter compares: by DATA_TYPE (datetime, number/double/integer/…), else as strings. */
export type Comparer = (v: unknown) => number | string | undefined;

/** The coercion for a Filter's DATA_TYPE property. */
export function comparerFor(dataType: string | undefined): Comparer {
  const t = (dataType ?? "string").toLowerCase();
  if (t === "datetime" || t === "date" || t === "timestamp") return toMillis;
  if (["number", "double", "integer", "int", "long", "decimal", "float", "currency", "percent"].includes(t)) {
    return toNumber;
  }
  return (v) => (v === null || v === undefined ? undefined : String(v));
}

/** A value as text (masking, truncating, merging). */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}
