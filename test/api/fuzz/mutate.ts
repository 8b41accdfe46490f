import type { OpSpec } from "./catalog.ts";
import type { Rng } from "./rng.ts";

const unicode = ["é", "日本語", "😀", "\u200b", "\u0000", "\ufeff", "ﬀ", "İ", "Ω", "\u202e", "a\u0301"];
const surrogates = ["\ud800", "\udfff", "a\ud83dz", "\udc00\ud800"];

/** A string chosen to hurt: empty, huge, control and unicode characters, lone surrogates, injection shapes. */
export function evilString(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
      return "";
    case 1:
      return "a".repeat(rng.pick([256, 257, 1025, 4096, 65_537]));
    case 2:
      return "x".repeat(rng.chance(0.2) ? 1_000_000 : 20_000);
    case 3:
      return rng.pick(unicode).repeat(rng.int(300) + 1);
    case 4:
      return rng.pick(surrogates);
    case 5:
      return `'; DROP TABLE profiles; --`;
    case 6:
      return "%ZZ%00%2F..%2F..";
    case 7:
      return " \t\n ";
    case 8:
      return "{{#each this}}{{this}}{{/each}}"; // Handlebars in a mapping Source
    case 9:
      return "_source.__proto__.polluted";
    case 10:
      return "__proto__";
    case 11:
      return String.fromCharCode(...Array.from({ length: 64 }, () => rng.int(0x10000)));
    case 12:
      return "arn:aws:profile:us-east-1:000000000000:domains/../../x";
    default:
      return rng.pick(["null", "true", "0", "-1", "NaN", "1e309", "constructor"]);
  }
}

/** A nested JSON value, `depth` levels of arrays or objects. */
function nested(rng: Rng, depth: number): unknown {
  let v: unknown = "leaf";
  const asArray = rng.chance(0.5);
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

/** A value of a type the member probably does not have, or a hostile value of its own type. */
export function evilValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return rng.pick([true, false]);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e-308, 4294967297]);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return nested(rng, rng.pick([10, 100, 1000])); // deeper: bodyBytes' nested-array text
    case 6:
      return Array.from({ length: rng.pick([2, 101, 1001, 40_000]) }, (_, i) => `v${i}@x.io`);
    case 7:
      return Object.fromEntries(
        Array.from({ length: rng.pick([11, 101, 2000]) }, (_, i) => [`k${i}`, `v${i}`]),
      );
    case 8:
      return [evilString(rng), 1, null, {}];
    default:
      return evilString(rng);
  }
}

/** Every path from the root to a member of `v` (objects and arrays). */
function memberPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (v && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      memberPaths(child, p, out);
    }
  }
  return out;
}

/** A copy of `body` with one member replaced, removed, or joined by an unknown one. */
export function mutateBody(rng: Rng, body: Record<string, unknown>): { value: unknown; label: string } {
  const copy = structuredClone(body) as Record<string, unknown>;
  const paths = memberPaths(copy);
  const kind = paths.length === 0 ? 2 : rng.int(10);
  if (kind === 2) {
    const key = rng.pick(["__proto__", "constructor", "Unknown", "", "a".repeat(300), "😀"]);
    copy[key] = evilValue(rng);
    return { value: copy, label: `extra member ${JSON.stringify(key.slice(0, 20))}` };
  }
  const path = rng.pick(paths);
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (kind === 1) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return { value: copy, label: `without ${path.join(".")}` };
  }
  const current = parent[last];
  if (kind === 3 && typeof current === "string") {
    // A valid value with one hostile character inside: it passes type checks and reaches the stores.
    const ch = rng.pick(["\u0000", "\u0000", "\ud800", "\u0085", "\u2028", "\uffff"]);
    const at = rng.int(current.length + 1);
    parent[last] = current.slice(0, at) + ch + current.slice(at);
    return {
      value: copy,
      label: `${path.join(".")} with U+${ch.charCodeAt(0).toString(16).padStart(4, "0")} inside`,
    };
  }
  parent[last] = evilValue(rng);
  return { value: copy, label: `${path.join(".")} = ${describe(parent[last])}` };
}

function describe(v: unknown): string {
  if (typeof v === "string") return `string(${v.length}) ${JSON.stringify(v.slice(0, 24))}`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v && typeof v === "object") return `object(${Object.keys(v).length})`;
  return String(v);
}

/** JSON text for a value, sometimes with invalid UTF-8 or broken syntax spliced in. */
export function bodyBytes(rng: Rng, value: unknown): { bytes: Buffer; label: string } {
  const text = JSON.stringify(value) ?? "";
  switch (rng.int(14)) {
    case 0: {
      // Invalid UTF-8 inside a string: a lone continuation byte, an overlong form, a truncated sequence.
      const bad = rng.pick([[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80]]);
      const at = Math.max(1, text.indexOf('"') + 1);
      return {
        bytes: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]),
        label: "invalid UTF-8",
      };
    }
    case 1:
      return { bytes: Buffer.from(text.slice(0, rng.int(text.length))), label: "truncated JSON" };
    case 2:
      return {
        bytes: Buffer.from(rng.pick(["", "null", "[]", "1", '"s"', "{", "}", "not json", "\u0000"])),
        label: "not an object",
      };
    case 3:
      return {
        bytes: Buffer.from(`${"[".repeat(20_000)}${"]".repeat(20_000)}`),
        label: "20,000 nested arrays",
      };
    case 4:
      return { bytes: Buffer.from(`\ufeff${text}`), label: "BOM" };
    case 5:
      return { bytes: Buffer.from(text.replace("{", '{"a":1,"a":2,')), label: "duplicate keys" };
    default:
      return { bytes: Buffer.from(text), label: "" };
  }
}

/** Percent-encodes the UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD, as any client would send it). */
function pct(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A hostile replacement for one path segment (already encoded as it will be sent). */
export function evilSegment(rng: Rng): { raw: string; label: string } {
  switch (rng.int(12)) {
    case 0:
      return { raw: "%ZZ", label: "%ZZ" };
    case 1:
      return { raw: "%", label: "lone %" };
    case 2:
      return { raw: "a".repeat(rng.pick([101, 256, 2048, 9000])), label: "long segment" };
    case 3:
      return { raw: pct(rng.pick(unicode).repeat(3)), label: "unicode" };
    case 4:
      return { raw: "%ED%A0%80", label: "encoded lone surrogate" };
    case 5:
      return { raw: "%FF%FE", label: "encoded invalid UTF-8" };
    case 6:
      return { raw: "..", label: ".." };
    case 7:
      return { raw: "%2F%2E%2E%2Fx", label: "encoded slash" };
    case 8:
      return { raw: "%00", label: "NUL" };
    case 9:
      return { raw: "", label: "empty segment" };
    case 10:
      return { raw: pct(evilString(rng).slice(0, 3000)), label: "evil string" };
    default:
      return { raw: "a;b=c,d", label: "sub-delims" };
  }
}

/** The operation's path with its parameters filled; one replaced by a hostile segment when `evil`. */
export function fillPath(rng: Rng, op: OpSpec, evil: boolean): { path: string; label: string } {
  const names = Object.keys(op.params ?? {});
  const target = evil && names.length ? rng.pick(names) : undefined;
  let label = "";
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === target) {
      const s = evilSegment(rng);
      label = `${name} = ${s.label}`;
      return s.raw;
    }
    return encodeURIComponent(op.params![name]!);
  });
  return { path, label };
}

/** A query string: the operation's own, sometimes hostile. */
export function query(rng: Rng, op: OpSpec, evil: boolean): { qs: string; label: string } {
  const q = new URLSearchParams(op.query ?? {});
  let label = "";
  if (evil) {
    const key = rng.pick(["max-results", "next-token", "tagKeys", "maxResults", "x"]);
    const value = rng.pick([
      "-1",
      "0",
      "abc",
      "1e9",
      "101",
      "99999999999999999999",
      "",
      "%ZZ",
      "a".repeat(5000),
    ]);
    if (rng.chance(0.3)) q.append(key, value);
    else q.set(key, value);
    label = `query ${key}=${value.slice(0, 12)}`;
  }
  const s = q.toString();
  return { qs: s ? `?${s.replace("%25ZZ", "%ZZ")}` : "", label };
}
