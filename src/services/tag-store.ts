import { sql } from "kysely";
import type { Queryable } from "../db/queryable.ts";

/** Tags of any resource (domains, object types, integrations, flows, connector profiles, workflows, secrets). */
export class TagStore {
  /** All tags of a resource as a map. */
  async list(q: Queryable, arn: string): Promise<Record<string, string>> {
    const rows = await q
      .selectFrom("resource_tags")
      .select(["tag_key", "tag_value"])
      .where("resource_arn", "=", arn)
      .orderBy("tag_key")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.tag_key, r.tag_value]));
  }

  /** Adds or overwrites tags. */
  async tag(q: Queryable, arn: string, tags: Record<string, string>): Promise<void> {
    const values = Object.entries(tags).map(([k, v]) => ({ resource_arn: arn, tag_key: k, tag_value: v }));
    if (values.length === 0) return;
    await q
      .insertInto("resource_tags")
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(["resource_arn", "tag_key"])
          .doUpdateSet((eb) => ({ tag_value: eb.ref("excluded.tag_value") })),
      )
      .execute();
  }

  /** Removes the named tag keys. */
  async untag(q: Queryable, arn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await q
      .deleteFrom("resource_tags")
      .where("resource_arn", "=", arn)
      .where("tag_key", "in", keys)
      .execute();
  }

  /** Removes every tag of a resource (when it is deleted). */
  async clear(q: Queryable, arn: string): Promise<void> {
    await q.deleteFrom("resource_tags").where("resource_arn", "=", arn).execute();
  }

  /** Removes the tags of a resource and of everything whose ARN lies under it (`{arn}/…`). */
  async clearTree(q: Queryable, arn: string): Promise<void> {
    const under = `${arn}/`;
    // substr, not LIKE: names may hold `_`, a LIKE wildcard that would reach other resources.
    await q
      .deleteFrom("resource_tags")
      .where((eb) =>
        eb.or([
          eb("resource_arn", "=", arn),
          eb(sql<string>`substr(resource_arn, 1, ${under.length})`, "=", under),
        ]),
      )
      .execute();
  }
}
