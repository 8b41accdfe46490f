import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { implicitObjectType, resolveObjectType } from "../../src/ingest/index.ts";
import { inDomainTransaction } from "../../src/profiles/domain-transaction.ts";
import { ProfileIngestor } from "../../src/profiles/profile-ingestor.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const types = {
  async get(_domain: string, name: string) {
    const def = implicitObjectType(name);
    return def ? resolveObjectType(def) : undefined;
  },
  async getIn(_q: unknown, domain: string, name: string) {
    return types.get(domain, name);
  },
};

const contact = (id: string, account: string, modstamp = "2024-01-15T10:20:30.000+0000") => ({
  Id: id,
  AccountId: account,
  FirstName: "Ada",
  LastName: id,
  Email: `${id}@example.com`,
  SystemModstamp: modstamp,
});

describeEachDialect("replaced and deleted objects take their keys with them", (dialect) => {
  let t: TestDatabase;
  let ingestor: ProfileIngestor;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    ingestor = new ProfileIngestor(t, types, new ManualClock(Date.UTC(2025, 0, 1)));
  });
  afterAll(async () => t?.destroy());

  const keys = (d: string) =>
    t.db
      .selectFrom("profile_keys")
      .select(["key_name", "key_value", "origin", "object_key"])
      .where("domain_name", "=", d)
      .where("origin", "=", "object")
      .orderBy("key_name")
      .orderBy("key_value")
      .execute();

  it("a replaced object's old key values go; other objects' keys stay", async () => {
    const d = "replace";
    await ingestor.ingestObjects(d, "Salesforce-Contact", [
      contact("003A", "001OLD"),
      contact("003B", "001B"),
    ]);
    const r = await ingestor.ingestObjects(d, "Salesforce-Contact", [
      contact("003A", "001NEW", "2024-02-01T00:00:00.000+0000"),
    ]);
    expect(r.results[0]?.status).toBe("replaced");
    const accounts = (await keys(d)).filter((k) => k.key_name === "_salesforceAccountId");
    expect(accounts.map((k) => [k.key_value, k.object_key])).toEqual([
      ["001B", "003B"],
      ["001NEW", "003A"],
    ]);
  });

  it("deleteInTransaction (the flows sink's path) removes the objects, their keys and emptied profiles", async () => {
    const d = "delete";
    await ingestor.ingestObjects(d, "Salesforce-Contact", [contact("003A", "001A"), contact("003B", "001B")]);
    const removed = await inDomainTransaction(t.db, dialect, d, (trx) =>
      ingestor.deleteInTransaction(trx, d, "Salesforce-Contact", [{ id: "003A" }, { id: "003Z" }]),
    );
    expect(removed).toBe(1);
    const left = await keys(d);
    expect(new Set(left.map((k) => k.object_key))).toEqual(new Set(["003B"]));
    const profiles = await t.db
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", d)
      .execute();
    expect(profiles).toHaveLength(1);
  });

  it("one batch deleting 4,000 objects stays under SQLite's 32,766 bound variables (a history row has 9)", async () => {
    const d = "delete-many";
    const n = 4_000;
    const ids = Array.from({ length: n }, (_, i) => `003M${String(i).padStart(6, "0")}`);
    await ingestor.ingestObjects(
      d,
      "Salesforce-Contact",
      ids.map((id) => contact(id, "001M")),
    );
    const removed = await inDomainTransaction(t.db, dialect, d, (trx) =>
      ingestor.deleteInTransaction(
        trx,
        d,
        "Salesforce-Contact",
        ids.map((id) => ({ id })),
      ),
    );
    expect(removed).toBe(n);
    const history = await t.db
      .selectFrom("profile_history")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("domain_name", "=", d)
      .where(sql<string>`content`, "like", '%"DeletedAtSource":true%')
      .executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(n);
  });
});
