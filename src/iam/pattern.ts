import type { ContextValues } from "./request-context.ts";

/**
 * A policy value made ready to match: literal text and the two wildcards. Variables (`${aws:username}`)
 * are substituted as literal text, and `${*}`, `${?}`, `${$}` are the literal characters.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export type PatternToken = string | typeof ANY | typeof ONE;
export const ANY = Symbol("*");
export const ONE = Symbol("?");

export interface PatternOptions {
  /** `*` and `?` are wildcards (StringLike, Resource, Action); else they are plain characters. */
  wildcards: boolean;
  /** `${…}` is a policy variable (policy Version 2012-10-17 and an operator that supports them). */
  variables: boolean;
}

/**
 * The tokens of `raw` with its variables resolved from `context`; `undefined` when a variable has no
 * value and no default (AWS: the element then matches nothing).
 */
export function tokenize(raw: string, context: ContextValues, o: PatternOptions): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") tokens.push(text);
    text = "";
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (o.variables && c === "$" && raw[i + 1] === "{") {
      const end = raw.indexOf("}", i + 2);
      if (end !== -1) {
        const resolved = resolveVariable(raw.slice(i + 2, end), context);
        if (resolved === undefined) return undefined;
        text += resolved;
        i = end;
        continue;
      }
    }
    if (o.wildcards && (c === "*" || c === "?")) {
      flush();
      tokens.push(c === "*" ? ANY : ONE);
      continue;
    }
    text += c;
  }
  flush();
  return tokens;
}

/** `*`, `?`, `$` escapes; `name` or `name, 'default'` (a `''` inside the default is one `'`). */
function resolveVariable(inner: string, context: ContextValues): string | undefined {
  if (inner === "*" || inner === "?" || inner === "$") return inner;
  const m = /^\s*([^,\s]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$/.exec(inner);
  if (!m) return undefined;
  const value = context.get(m[1]!.toLowerCase());
  // Multivalued keys cannot be policy variables.
  if (typeof value === "string") return value;
  return m[2] === undefined ? undefined : m[2].replace(/''/g, "'");
}

const regexCache = new Map<string, RegExp>();
const CACHE_LIMIT = 4096;

/** Whether `value` matches the tokens (a whole-string match). */
export function matchTokens(tokens: readonly PatternToken[], value: string, ignoreCase: boolean): boolean {
  if (tokens.length === 0) return value === "";
  if (tokens.length === 1 && typeof tokens[0] === "string") {
    return ignoreCase ? tokens[0].toLowerCase() === value.toLowerCase() : tokens[0] === value;
  }
  if (tokens.length === 1 && tokens[0] === ANY) return true;
  return toRegex(tokens, ignoreCase).test(value);
}

function toRegex(tokens: readonly PatternToken[], ignoreCase: boolean): RegExp {
  let source = "^";
  for (const t of tokens) {
    source += t === ANY ? "[\\s\\S]*" : t === ONE ? "[\\s\\S]" : t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  source += "$";
  const key = (ignoreCase ? "i" : "s") + source;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(source, ignoreCase ? "iu" : "u");
    if (regexCache.size >= CACHE_LIMIT) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

/** Glob match of a policy value against a request value, variables resolved first. */
export function matchesPattern(
  raw: string,
  value: string,
  context: ContextValues,
  o: PatternOptions & { ignoreCase: boolean },
): boolean {
  const tokens = tokenize(raw, context, o);
  return tokens !== undefined && matchTokens(tokens, value, o.ignoreCase);
}
