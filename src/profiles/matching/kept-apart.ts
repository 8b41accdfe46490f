import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Json } from "../../db/json-column.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, inValues } from "../bulk.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import { matchIdOf } from "./match-id.ts";
import { matchDetailColumn } from "./merge-columns.ts";

/**
 * Records pairs of profiles as kept apart: a `rule_matches` row of level 0 per pair (rule-based
 * matching never joins such a pair, not even through a chain). Any other row of the pair goes.
 */
export async function keepApart(
  trx: Kysely<Database>,
  { domainName, boxes }: SealedDomain,
  pairs: readonly (readonly [string, string])[],
  detail: Record<string, unknown>,
  now: number,
): Promise<void> {
  const row = { detail: matchDetailColumn.seal(boxes, detail), createdAt: now };
  for (const [p, q] of pairs) await writeKeptApart(trx, domainName, p, q, row, "replace");
}

/**
 * After a merge (`mainOf`: merged profile → the profile it joined), the pairs kept apart that named a
 * merged profile name its main profile instead, so the main stays apart from the other side. A pair
 * whose two sides are now one profile (a merge asked for by hand) is dropped.
 */
export async function repointKeptApart(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  mainOf: ReadonlyMap<string, string>,
): Promise<void> {
  if (mainOf.size === 0) return;
  const rows = new Map<
    string,
    { a: string; b: string; detail: Json<"rule_matches.detail">; createdAt: number }
  >();
  for (const part of chunks([...mainOf.keys()])) {
    for (const column of ["profile_a", "profile_b"] as const) {
      for (const r of await trx
        .selectFrom("rule_matches")
        .select(["match_id", "profile_a", "profile_b", "detail", "created_at"])
        .where("domain_name", "=", domainName)
        .where(inValues(dialect, column, part))
        .where("rule_level", "=", 0)
        .execute())
        rows.set(r.match_id, {
          a: r.profile_a,
          b: r.profile_b,
          detail: r.detail,
          createdAt: Number(r.created_at),
        });
    }
  }
  for (const [oldId, r] of rows) {
    await trx
      .deleteFrom("rule_matches")
      .where("domain_name", "=", domainName)
      .where("match_id", "=", oldId)
      .execute();
    // A pair already kept apart stays as it is.
    await writeKeptApart(trx, domainName, mainOf.get(r.a) ?? r.a, mainOf.get(r.b) ?? r.b, r, "keep");
  }
}

/**
 * Writes the pair (p, q) as kept apart: a `rule_matches` row of level 0, its sides ordered, under the
 * pair's match id. A held match of the pair gives way; a row already keeping the pair apart is replaced
 * (`existing: "replace"`) or stays as it is (`"keep"`). A pair of one profile is not written.
 */
async function writeKeptApart(
  trx: Kysely<Database>,
  domainName: string,
  p: string,
  q: string,
  row: { detail: Json<"rule_matches.detail">; createdAt: number },
  existing: "replace" | "keep",
): Promise<void> {
  if (p === q) return;
  const [a, b] = p < q ? [p, q] : [q, p];
  const id = matchIdOf(a, b);
  let gone = trx.deleteFrom("rule_matches").where("domain_name", "=", domainName).where("match_id", "=", id);
  if (existing === "keep") gone = gone.where("rule_level", "<>", 0);
  await gone.execute();
  await trx
    .insertInto("rule_matches")
    .values({
      domain_name: domainName,
      match_id: id,
      rule_level: 0,
      profile_a: a,
      profile_b: b,
      detail: row.detail,
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.columns(["domain_name", "match_id"]).doNothing())
    .execute();
}
