import {
  CreateDomainCommand,
  CreateProfileCommand,
  DeleteDomainCommand,
  DeleteProfileCommand,
  DeleteProfileObjectCommand,
  DeleteProfileObjectTypeCommand,
  GetDomainCommand,
  MergeProfilesCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { type Kysely, sql } from "kysely";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { projectMigrator } from "../../src/db/migrate.ts";
import { DOMAIN_STATS_TRIGGERS } from "../../src/db/migrations/0340_domain_stats.ts";
import type { Database } from "../../src/db/schema.ts";
import { salesforceContact as contact } from "../helpers/salesforce-contact.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** What GetDomain's Stats must say: the domain's rows counted, and its payloads' bytes summed. */
async function counted(db: Kysely<Database>, domain: string) {
  const p = await sql<{
    n: number;
  }>`select count(*) as n from profiles where domain_name = ${domain}`.execute(db);
  const o = await sql<{
    n: number;
    b: number;
  }>`select count(*) as n, coalesce(sum(octet_length(payload)), 0) as b
    from profile_objects where domain_name = ${domain}`.execute(db);
  const profiles = Number(p.rows[0]!.n);
  return {
    ProfileCount: profiles,
    MeteringProfileCount: profiles,
    ObjectCount: Number(o.rows[0]!.n),
    TotalSize: Number(o.rows[0]!.b),
  };
}

const statsRows = async (db: Kysely<Database>, domain: string) =>
  Number(
    (
      await sql<{ n: number }>`select count(*) as n from domain_stats where domain_name = ${domain}`.execute(
        db,
      )
    ).rows[0]!.n,
  );

// GetDomain's Stats are kept by the database (migration 0340) instead of counted per call (1.5–2.4 s at 1M
// objects on SQLite). Each step below changes profiles or objects by another path; the kept figures must
// equal a count of the rows after every one of them.
describeEachDialect("GetDomain's Stats, kept as the domain changes", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const db = () => t.server.database.db;
  const stats = async (DomainName: string) =>
    (await t.profiles.send(new GetDomainCommand({ DomainName }))).Stats;
  const put = (DomainName: string, object: string, ObjectTypeName = "Salesforce-Contact") =>
    t.profiles.send(new PutProfileObjectCommand({ DomainName, ObjectTypeName, Object: object }));
  const profileOf = async (DomainName: string, id: string) =>
    (
      await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: [id] }),
      )
    ).Items![0]!.ProfileId!;

  it("equal a count of the rows after puts, replacements, merges and every kind of deletion", async () => {
    const D = "kept";
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 365 }));
    await t.profiles.send(new CreateDomainCommand({ DomainName: "neighbour", DefaultExpirationDays: 365 }));
    const check = async (expected: { profiles: number; objects: number }) => {
      const got = await stats(D);
      expect(got).toEqual(await counted(db(), D));
      expect([got?.ProfileCount, got?.ObjectCount]).toEqual([expected.profiles, expected.objects]);
    };
    await check({ profiles: 0, objects: 0 });

    // Puts, several at once (group commit writes them in one batch), one of them to another domain.
    await Promise.all([
      ...["003A", "003B", "003C", "003D", "003E"].map((id) => put(D, contact(id))),
      put("neighbour", contact("003Z")),
    ]);
    await check({ profiles: 5, objects: 5 });
    expect(await stats("neighbour")).toEqual(await counted(db(), "neighbour"));
    expect((await stats("neighbour"))?.ObjectCount).toBe(1);

    // The same object again with a longer payload: one object still, more bytes.
    const before = (await stats(D))!.TotalSize!;
    await put(D, contact("003A", { Description: "x".repeat(500) }));
    await check({ profiles: 5, objects: 5 });
    expect((await stats(D))!.TotalSize!).toBeGreaterThan(before);

    // A profile made by hand, and an object of another type that joins a contact's profile.
    const manual = (await t.profiles.send(new CreateProfileCommand({ DomainName: D, FirstName: "Bea" })))
      .ProfileId!;
    await put(D, JSON.stringify({ id: "77", sfdcContactId: "003B", firstName: "Bee" }), "Marketo-leads");
    await check({ profiles: 6, objects: 6 });

    // A merge moves objects onto the main profile and removes the merged one.
    await t.profiles.send(
      new MergeProfilesCommand({
        DomainName: D,
        MainProfileId: await profileOf(D, "003C"),
        ProfileIdsToBeMerged: [await profileOf(D, "003D")],
      }),
    );
    await check({ profiles: 5, objects: 6 });

    const a = await profileOf(D, "003A");
    await t.profiles.send(
      new DeleteProfileObjectCommand({
        DomainName: D,
        ProfileId: a,
        ObjectTypeName: "Salesforce-Contact",
        ProfileObjectUniqueKey: "003A",
      }),
    );
    await check({ profiles: 5, objects: 5 });
    await t.profiles.send(new DeleteProfileCommand({ DomainName: D, ProfileId: manual }));
    await check({ profiles: 4, objects: 5 });
    await t.profiles.send(new DeleteProfileCommand({ DomainName: D, ProfileId: await profileOf(D, "003E") }));
    await check({ profiles: 3, objects: 4 });
    // The type's objects go; the profiles they fed stay.
    await t.profiles.send(
      new DeleteProfileObjectTypeCommand({ DomainName: D, ObjectTypeName: "Marketo-leads" }),
    );
    await check({ profiles: 3, objects: 3 });

    // DeleteDomain takes the kept figures along: the name created again starts from nothing.
    await t.profiles.send(new DeleteDomainCommand({ DomainName: D }));
    expect(await statsRows(db(), D)).toBe(0);
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 365 }));
    await check({ profiles: 0, objects: 0 });
    expect(await stats("neighbour")).toEqual(await counted(db(), "neighbour"));

    // What GetDomain reports is the kept figure, not a count made for the call.
    const kept = (await stats("neighbour"))!.ObjectCount!;
    await sql`update domain_stats set objects = objects + 1000 where domain_name = 'neighbour'`.execute(db());
    expect((await stats("neighbour"))?.ObjectCount).toBe(kept + 1000);
  });
});

describeEachDialect("the stats migration", (dialect) => {
  let t: TestDatabase;
  afterEach(async () => t?.destroy());

  // A later migration that rebuilt `profiles` or `profile_objects` (as 0290 did) would drop the triggers.
  it("leaves every trigger that keeps the stats in place once all migrations have run", async () => {
    t = await openTestDatabase(dialect);
    const names =
      dialect === "sqlite"
        ? sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`
        : sql<{ name: string }>`select tgname as name from pg_trigger where not tgisinternal`;
    const present = (await names.execute(t.db)).rows.map((r) => r.name);
    for (const name of DOMAIN_STATS_TRIGGERS) expect(present, name).toContain(name);
  });

  it("counts what domains held before it, then keeps counting", async () => {
    t = await openTestDatabase(dialect);
    const migrator = projectMigrator(t.db);
    expect((await migrator.migrateTo("0330_workflow_record_counts")).error).toBeUndefined();
    // Rows as an earlier release wrote them (raw: the schema of that release).
    const object = (key: string, payload: string) =>
      sql`insert into profile_objects (domain_name, object_type_name, object_key, profile_id, payload, fields, updated_at)
        values ('old', 'T', ${key}, 'p1', ${payload}, '{}', 1)`.execute(t.db);
    const profile = (id: string) =>
      sql`insert into profiles (domain_name, profile_id, fields, manual, created_at, updated_at)
        values ('old', ${id}, '{}', '{}', 1, 1)`.execute(t.db);
    await profile("p1");
    await profile("p2");
    // Bytes, not characters: "é" is two.
    await object("k1", "é");
    await object("k2", "abc");
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain("0340_domain_stats");
    // One row per domain, whatever was written.
    const kept = async () => {
      const r = await sql<{ p: number; o: number; b: number }>`select profiles as p, objects as o, bytes as b
        from domain_stats where domain_name = 'old'`.execute(t.db);
      expect(r.rows).toHaveLength(1);
      return [Number(r.rows[0]!.p), Number(r.rows[0]!.o), Number(r.rows[0]!.b)];
    };
    expect(await kept()).toEqual([2, 2, 5]);
    await object("k3", "abcd");
    await t.db.deleteFrom("profiles").where("profile_id", "=", "p2").execute();
    await t.db.updateTable("profile_objects").set({ payload: "a" }).where("object_key", "=", "k1").execute();
    expect(await kept()).toEqual([1, 3, 8]);
    // An object moved to another profile (a merge) or written back unchanged keeps its bytes.
    await t.db
      .updateTable("profile_objects")
      .set({ profile_id: "p9" })
      .where("object_key", "=", "k2")
      .execute();
    await t.db
      .updateTable("profile_objects")
      .set({ payload: "abcd" })
      .where("object_key", "=", "k3")
      .execute();
    expect(await kept()).toEqual([1, 3, 8]);
    // Stepping back removes the triggers, PostgreSQL's functions and the table; rows change freely again.
    expect((await migrator.migrateTo("0330_workflow_record_counts")).error).toBeUndefined();
    const left =
      dialect === "sqlite"
        ? sql<{ name: string }>`select name from sqlite_master where name like '%stats%'`
        : sql<{ name: string }>`select tgname as name from pg_trigger where tgname like '%stats%'
            union all select proname from pg_proc where proname like 'profileflow_stats%'
            union all select tablename from pg_tables where tablename = 'domain_stats'`;
    expect((await left.execute(t.db)).rows).toEqual([]);
    await profile("p3");
  });
});
