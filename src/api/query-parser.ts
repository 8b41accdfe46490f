import { parseQuery } from "../security/sigv4-canonical.ts";

/**
 * The router's query parser: the very decoding the SigV4 verifier signs over (`parseQuery`), so the
 * query a handler reads is the query that was signed. A repeated name becomes an array. A query the
 * verifier cannot decode is read as empty here; the verifier refuses that request before any handler.
 */
export function parseQueryObject(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  let pairs: Array<[string, string]>;
  try {
    pairs = parseQuery(raw);
  } catch {
    return query;
  }
  for (const [name, value] of pairs) {
    const prev = query[name];
    query[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}
