import { type Kysely, sql } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, type RawSqlite } from "../bulk.ts";
import type { DomainBoxes } from "../domain-sealer.ts";
import { addHolders, pairKey } from "../key-index.ts";
import type { SealedDomain } from "../profile-refresh.ts";

/** A (rule key, value) pair to look up; `stored` is its blind index when the caller already computed it. */
export type Pair = { name: string; value: string; stored?: string | undefined };

/**
 * Holders read in an earlier round of one matching pass, for the next: the pass holds the domain lock,
 * so a value's holders change only by the pass's own merges — remapped to their main profiles
 * (`mainOf`) instead of read again (a merged profile's values are mostly its parts', already read). A
 * set that reached `cap` (a shared value, read capped) is read again.
 */
export function holderCache(
  cap: number,
  mainOf: ReadonlyMap<string, string>,
): (
  pairs: Pair[],
  read: (missing: Pair[]) => Promise<Map<string, Set<string>>>,
) => Promise<Map<string, Set<string>>> {
  const seen = new Map<string, Set<string>>();
  return async (pairs, read) => {
    const out = new Map<string, Set<string>>();
    const missing: Pair[] = [];
    for (const p of pairs) {
      const k = pairKey(p.name, p.value);
      if (out.has(k)) continue;
      const known = seen.get(k);
      if (known && known.size < cap) out.set(k, new Set([...known].map((id) => mainOf.get(id) ?? id)));
      else {
        missing.push(p);
        out.set(k, new Set());
      }
    }
    const fresh = missing.length > 0 ? await read(missing) : new Map<string, Set<string>>();
    for (const p of missing) {
      const k = pairKey(p.name, p.value);
      const holders = fresh.get(k);
      if (holders && holders.size > 0) out.set(k, holders);
      else out.delete(k);
    }
    for (const [k, set] of out) seen.set(k, new Set(set));
    return out;
  };
}

/**
 * For each (rule key, value) pair, the distinct profiles holding it — at most `cap` of them: a value
 * held by more is shared whatever it is, and reading its every holder would make one placeholder
 * value (a `000-000-0000`) cost as much as the domain is large. With SQLite's raw connection (`raw`,
 * under the caller's transaction) each pair is one prepared index probe: no JSON to build and parse.
 */
export async function lookupHolders(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  asked: readonly Pair[],
  cap: number,
  raw?: RawSqlite,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  // Looked up by what is stored (the blind index of each value), reported by the values asked.
  const { pairs: distinct, plainOf } = storedPairsOf(boxes, asked);
  if (dialect === "sqlite" && raw) {
    const { rows, ordered } = holderProbes(raw);
    for (const p of distinct) {
      let ids = rows.all([domainName, p.name, p.value]) as string[];
      // Every row read: the first `cap` holders by id, as the ordered query gives. A value with more
      // rows (a shared one) is asked again, ordered and capped in SQL.
      if (ids.length < PROBE_ROWS) ids = [...new Set(ids)].sort().slice(0, cap);
      else ids = ordered.all([domainName, p.name, p.value, cap]) as string[];
      if (ids.length > 0) out.set(plainOf.get(pairKey(p.name, p.value))!, new Set(ids));
    }
    return out;
  }
  for (const part of chunks(distinct)) {
    let rows: { key_name: string; key_value: string; profile_id: string }[];
    if (dialect === "postgres") {
      // One index probe per pair whatever the statistics (as in lookupKeyOwners); `offset 0` keeps
      // the lateral subquery from being flattened into a join.
      const result = await sql<{ key_name: string; key_value: string; profile_id: string }>`
        select p.name as key_name, p.value as key_value, k.profile_id
        from unnest(${part.map((p) => p.name)}::text[], ${part.map((p) => p.value)}::text[]) as p(name, value)
        cross join lateral (
          select distinct profile_id from profile_keys
          where domain_name = ${domainName} and key_name = p.name and key_value = p.value
          limit ${cap} offset 0
        ) as k`.execute(trx);
      rows = result.rows;
    } else {
      // One index probe per (name, value) pair: the pairs drive the join (CROSS JOIN fixes SQLite's
      // order), rather than every name crossed with every value (rules × values probes).
      const pairsJson = JSON.stringify(part.map((p) => [p.name, p.value]));
      const result = await sql<{ key_name: string; key_value: string; profile_id: string }>`
        select key_name, key_value, profile_id from (
          select key_name, key_value, profile_id,
            row_number() over (partition by key_name, key_value order by profile_id) as rn
          from (
            select distinct k.key_name, k.key_value, k.profile_id
            from json_each(${pairsJson}) as j
            cross join profile_keys as k
            where k.domain_name = ${domainName}
              and k.key_name = json_extract(j.value, '$[0]')
              and k.key_value = json_extract(j.value, '$[1]')
          )
        ) where rn <= ${cap}`.execute(trx);
      rows = result.rows;
    }
    addHolders(out, rows, new Set(part.map((p) => pairKey(p.name, p.value))), plainOf);
  }
  return out;
}

/**
 * The pairs as `profile_keys` stores them (the blind index of each value: the one the caller computed
 * when it wrote the row, else computed here) and the way back to the plaintext pair key.
 */
function storedPairsOf(
  boxes: DomainBoxes,
  asked: readonly Pair[],
): { pairs: { name: string; value: string }[]; plainOf: Map<string, string> } {
  const plainOf = new Map<string, string>();
  const out: { name: string; value: string }[] = [];
  for (const p of asked) {
    const stored = { name: p.name, value: p.stored ?? boxes.index(p.name, p.value) };
    const k = pairKey(stored.name, stored.value);
    if (plainOf.has(k)) continue;
    plainOf.set(k, pairKey(p.name, p.value));
    out.push(stored);
  }
  return { pairs: out, plainOf };
}

/** better-sqlite3's statement, structurally: `pluck` returns the first column's values only. */
interface RawStatement {
  pluck(): RawStatement;
  all(params: unknown[]): unknown[];
}

/** Rows read per value by the plain probe: a value held by fewer is answered without SQL sorting. */
const PROBE_ROWS = 64;

/** The holder probes, prepared once per connection. */
const probes = new WeakMap<RawSqlite, { rows: RawStatement; ordered: RawStatement }>();

function holderProbes(raw: RawSqlite): { rows: RawStatement; ordered: RawStatement } {
  let p = probes.get(raw);
  if (!p) {
    // RawSqlite declares only what inserts use; the connection is better-sqlite3's Database. INDEXED
    // BY: for `order by profile_id` the planner would otherwise walk the domain's rows in the
    // (domain, profile) index — every row of the domain per probe.
    const prepare = (text: string) => (raw.prepare(text) as unknown as RawStatement).pluck();
    p = {
      rows: prepare(
        `select profile_id from profile_keys indexed by profile_keys_lookup
         where domain_name = ? and key_name = ? and key_value = ? limit ${PROBE_ROWS}`,
      ),
      ordered: prepare(
        `select distinct profile_id from profile_keys indexed by profile_keys_lookup
         where domain_name = ? and key_name = ? and key_value = ? order by profile_id limit ?`,
      ),
    };
    probes.set(raw, p);
  }
  return p;
}
