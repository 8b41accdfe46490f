import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** Tags of any resource (domains, object types, integrations, flows, connector profiles, workflows). */
export class TagStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** All tags of a resource as a map. */
  async list(arn: string): Promise<Record<string, string>> {
    const rows = await this.db
      .selectFrom("resource_tags")
      .select(["tag_key", "tag_value"])
      .where("resource_arn", "=", arn)
      .orderBy("tag_key")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.tag_key, r.tag_value]));
  }

  /** Adds or overwrites tags. */
  async tag(arn: string, tags: Record<string, string>): Promise<void> {
    const values = Object.entries(tags).map(([k, v]) => ({ resource_arn: arn, tag_key: k, tag_value: v }));
    if (values.length === 0) return;
    await this.db
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
  async untag(arn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom("resource_tags")
      .where("resource_arn", "=", arn)
      .where("tag_key", "in", keys)
      .execute();
  }

  /** Removes every tag of a resource (when it is deleted). */
  async clear(arn: string): Promise<void> {
    await this.db.deleteFrom("resource_tags").where("resource_arn", "=", arn).execute();
  }
}
