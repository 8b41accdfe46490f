import Handlebars from "handlebars";

/** Reads one field's raw value out of a source record. */
export type SourceAccessor = (record: Record<string, unknown>) => unknown;

// One isolated environment: helpers or partials registered elsewhere in the process never leak in.
const env = Handlebars.create();
const PATH = /^_source(\.[^.{}\s]+)+$/;

/** True when a Source is a plain `_source.a.b` path (the fast path, no Handlebars). */
export function isSourcePath(source: string): boolean {
  return PATH.test(source);
}

/** Why a Source cannot be used, or undefined when it can (a `_source.` path or a Handlebars template). */
export function checkSource(source: string): string | undefined {
  if (isSourcePath(source)) return undefined;
  if (!source.includes("{{")) return "a Source is a _source.<field> path or a Handlebars expression";
  try {
    env.parse(source);
    return undefined;
  } catch (e) {
    return `Handlebars: ${(e as Error).message.split("\n")[0]}`;
  }
}

/** Compiles a Source once; the accessor is then called for every record. */
export function compileSource(source: string): SourceAccessor {
  if (isSourcePath(source)) return compilePath(source.split(".").slice(1));
  const template = env.compile(source, { noEscape: true });
  // Handlebars compiles lazily on the first call; do it now so the per-record cost is rendering only.
  template({ _source: {} });
  return (record) => template({ _source: record });
}

function compilePath(segments: readonly string[]): SourceAccessor {
  if (segments.length === 1) {
    const [a] = segments as [string];
    return (record) => record[a];
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (record) => {
      const v = record[a];
      return v !== null && typeof v === "object" ? (v as Record<string, unknown>)[b] : undefined;
    };
  }
  return (record) => {
    let v: unknown = record;
    for (const s of segments) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string, unknown>)[s];
    }
    return v;
  };
}

/** A raw source value as text: strings trimmed, numbers/booleans printed, empty or structured → absent. */
export function toText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string": {
      const t = value.trim();
      return t === "" ? undefined : t;
    }
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "bigint":
    case "boolean":
      return String(value);
    default:
      return undefined;
  }
}
