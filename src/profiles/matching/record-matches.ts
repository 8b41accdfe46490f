import { chunks, inValues } from "../bulk.ts";
import { matchIdOf } from "./match-id.ts";
import type { MatchPass } from "./match-pass.ts";
import { matchDetailColumn } from "./merge-columns.ts";
import type { Hold, RuleEdge } from "./rule-matcher.ts";

/**
 * Records the held matches (mapped onto the round's main profiles), each pair at its lowest level. A
 * pair an earlier round of the pass recorded at the same level and hold is counted, not written again:
 * a merged profile's next round finds again the held matches its parts had (a common name's, mostly).
 */
export async function recordMatches(
  pass: MatchPass,
  held: readonly RuleEdge[],
  mainOf: ReadonlyMap<string, string>,
): Promise<number> {
  const { trx, dialect, domainName, boxes, now } = pass;
  const rows = new Map<
    string,
    {
      a: string;
      b: string;
      level: number;
      detail: { Rule: string[]; Values: Record<string, string>; Hold: Hold };
    }
  >();
  for (const e of held) {
    const a = mainOf.get(e.a) ?? e.a;
    const b = mainOf.get(e.b) ?? e.b;
    if (a === b) continue;
    const id = matchIdOf(a, b);
    const prev = rows.get(id);
    if (prev && prev.level <= e.level) continue;
    rows.set(id, {
      a: a < b ? a : b,
      b: a < b ? b : a,
      level: e.level,
      detail: { Rule: e.rule, Values: e.values, Hold: e.hold! },
    });
  }
  let again = 0;
  for (const [id, r] of rows) {
    if (pass.recorded.get(id) !== `${r.level}\u0000${r.detail.Hold}`) continue;
    rows.delete(id);
    again++;
  }
  if (rows.size === 0) return again;
  // A pair an unmerge separated keeps its level-0 row: a held match of the pair, found later (the
  // edge mapped onto main profiles), must not replace it, or the next pass would merge them again.
  for (const part of chunks([...rows.keys()])) {
    const kept = await trx
      .selectFrom("rule_matches")
      .select("match_id")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "match_id", part))
      .where("rule_level", "=", 0)
      .execute();
    for (const r of kept) rows.delete(r.match_id);
  }
  if (rows.size === 0) return again;
  const ids = [...rows.keys()];
  for (const part of chunks(ids)) {
    await trx
      .deleteFrom("rule_matches")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "match_id", part))
      .where("rule_level", "<>", 0)
      .execute();
  }
  for (const part of chunks([...rows], 1000)) {
    await trx
      .insertInto("rule_matches")
      .values(
        part.map(([id, r]) => ({
          domain_name: domainName,
          match_id: id,
          rule_level: r.level,
          profile_a: r.a,
          profile_b: r.b,
          detail: matchDetailColumn.seal(boxes, r.detail),
          created_at: now,
        })),
      )
      .execute();
  }
  for (const [id, r] of rows) pass.recorded.set(id, `${r.level}\u0000${r.detail.Hold}`);
  return rows.size + again;
}
