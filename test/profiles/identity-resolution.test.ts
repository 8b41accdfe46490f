import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { openDatabase } from "../../src/db/database.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { implicitObjectType, type ObjectTypeDefinition, resolveObjectType } from "../../src/ingest/index.ts";
import { inDomainTransaction } from "../../src/profiles/domain-transaction.ts";
import type { ObjectTypeSource } from "../../src/profiles/object-type-source.ts";
import { ProfileIngestor } from "../../src/profiles/profile-ingestor.ts";
import { ProfileObjects } from "../../src/profiles/profile-objects.ts";
import { ProfileStore } from "../../src/profiles/profile-store.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/** Object types from a map, falling back to the templates, as ObjectTypeStore does. */
class MapTypes implements ObjectTypeSource {
  readonly types = new Map<string, ObjectTypeDefinition>();
  async get(_domain: string, name: string) {
    const def = this.types.get(name) ?? implicitObjectType(name);
    return def ? resolveObjectType(def) : undefined;
  }
  async getIn(_q: Queryable, domain: string, name: string) {
    return this.get(domain, name);
  }
}

const contact = (id: string, o: Record<string, unknown> = {}) => ({
  Id: id,
  AccountId: "001ACME",
  FirstName: "Ada",
  LastName: "Lovelace",
  Email: `${id.toLowerCase()}@example.com`,
  SystemModstamp: "2024-01-15T10:20:30.000+0000",
  ...o,
});

const customEmailType: ObjectTypeDefinition = {
  ObjectTypeName: "Signup",
  Description: "web signups",
  AllowProfileCreation: true,
  Fields: {
    id: { Source: "_source.id", Target: "_profile.Attributes.signupId" },
    email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
    phone: { Source: "_source.phone", Target: "_profile.PhoneNumber", ContentType: "PHONE_NUMBER" },
    name: { Source: "_source.name", Target: "_profile.FirstName", ContentType: "NAME" },
  },
  Keys: {
    _signupId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
    _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    _phone: [{ StandardIdentifiers: ["PROFILE", "SECONDARY"], FieldNames: ["phone"] }],
  },
};

describeEachDialect("identity resolution and derived fields", (dialect) => {
  let t: TestDatabase;
  let types: MapTypes;
  let clock: ManualClock;
  let ingestor: ProfileIngestor;
  let profiles: ProfileStore;
  let objects: ProfileObjects;
  let n = 0;
  const domain = () => `d${n}`;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    types = new MapTypes();
    types.types.set("Signup", customEmailType);
    clock = new ManualClock(Date.UTC(2025, 0, 1));
    ingestor = new ProfileIngestor(t, types, clock);
    profiles = new ProfileStore(t.dialect, clock);
    objects = new ProfileObjects(t.dialect, profiles, clock);
  });
  afterAll(async () => t?.destroy());
  // Hand-made writes hold the domain's lock, as ProfileService runs them.
  const write = <T>(d: string, fn: (tx: Queryable) => Promise<T>) =>
    inDomainTransaction(t.db, t.dialect, d, fn);
  const fresh = () => {
    n++;
    return domain();
  };
  const profileCount = async (d: string) =>
    Number(
      (
        await t.db
          .selectFrom("profiles")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("domain_name", "=", d)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("a Salesforce contact and the Marketo lead carrying its sfdcContactId become one profile", async () => {
    const d = fresh();
    const a = await ingestor.ingestObjects(d, "Salesforce-Contact", [contact("003A")]);
    expect(a.results[0]).toMatchObject({ status: "created", profileObjectUniqueKey: "003A" });
    const lead = { id: "77", sfdcContactId: "003A", firstName: "Ada", updatedAt: "2024-01-16T00:00:00Z" };
    const b = await ingestor.ingestObjects(d, "Marketo-leads", [JSON.stringify(lead)]);
    expect(b.results[0]).toMatchObject({
      status: "matched",
      profileId: a.results[0]!.profileId,
      matchedBy: { keyName: "_salesforceContactId", value: "003A" },
    });
    expect(await profileCount(d)).toBe(1);
    const p = await profiles.require(t.db, d, a.results[0]!.profileId!);
    expect(p.Attributes).toMatchObject({ sfdcContactId: "003A", MarketoLeadId: "77" });
  });

  it("two contacts of one account stay two profiles", async () => {
    const d = fresh();
    const r = await ingestor.ingestObjects(d, "Salesforce-Contact", [contact("003A"), contact("003B")]);
    expect(r.results.map((x) => x.status)).toEqual(["created", "created"]);
    expect(await profileCount(d)).toBe(2);
  });

  it("a custom _email PROFILE key joins differently formatted emails; SECONDARY phones join after", async () => {
    const d = fresh();
    const first = await ingestor.ingestObjects(d, "Signup", [
      { id: "s1", email: "Ada@Example.com ", phone: "(415) 555-0134", name: "Ada" },
    ]);
    const again = await ingestor.ingestObjects(d, "Signup", [
      { id: "s2", email: "  ada@example.COM" },
      { id: "s3", phone: "+1 415.555.0134" },
    ]);
    const id = first.results[0]!.profileId;
    expect(again.results.map((x) => [x.status, x.profileId, x.matchedBy?.keyName])).toEqual([
      ["matched", id, "_email"],
      ["matched", id, "_phone"],
    ]);
    expect(await profileCount(d)).toBe(1);
  });

  it("a value shared by two profiles is ambiguous and skipped; the next key decides", async () => {
    const d = fresh();
    await write(d, (tx) => profiles.create(tx, d, { FirstName: "One", PhoneNumber: "+14155550100" }, "test"));
    await write(d, (tx) => profiles.create(tx, d, { FirstName: "Two", PhoneNumber: "+14155550100" }, "test"));
    const third = await write(d, (tx) =>
      profiles.create(tx, d, { EmailAddress: "three@example.com" }, "test"),
    );
    const r = await ingestor.ingestObjects(d, "Signup", [
      { id: "x", phone: "415-555-0100" },
      { id: "y", phone: "415-555-0100", email: "THREE@example.com" },
    ]);
    expect(r.results[0]!.status).toBe("created");
    expect(r.results[1]).toMatchObject({
      status: "matched",
      profileId: third,
      matchedBy: { keyName: "_email" },
    });
    const history = await t.db
      .selectFrom("profile_history")
      .select("content")
      .where("domain_name", "=", d)
      .where("object_key", "=", "x")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(history.content).AmbiguousKeys).toEqual([
      { keyName: "_phone", value: "+14155550100", profiles: 2 },
    ]);
  });

  it("an older version never overwrites a newer one", async () => {
    const d = fresh();
    const newer = contact("003N", { FirstName: "New", SystemModstamp: "2024-03-01T00:00:00.000+0000" });
    const older = contact("003N", { FirstName: "Old", SystemModstamp: "2024-02-01T00:00:00.000+0000" });
    const a = await ingestor.ingestObjects(d, "Salesforce-Contact", [newer]);
    const b = await ingestor.ingestObjects(d, "Salesforce-Contact", [older]);
    expect(b.results[0]!.status).toBe("ignored");
    expect((await profiles.require(t.db, d, a.results[0]!.profileId!)).FirstName).toBe("New");
    // In one batch too: the later, older record is ignored.
    const c = await ingestor.ingestObjects(d, "Salesforce-Contact", [
      contact("003M", { FirstName: "New", SystemModstamp: "2024-03-01T00:00:00.000+0000" }),
      contact("003M", { FirstName: "Old", SystemModstamp: "2024-02-01T00:00:00.000+0000" }),
    ]);
    expect(c.results.map((x) => x.status)).toEqual(["created", "ignored"]);
    expect((await profiles.require(t.db, d, c.results[0]!.profileId!)).FirstName).toBe("New");
  });

  it("a manual field survives ingestion; an absent value never clears a field", async () => {
    const d = fresh();
    const a = await ingestor.ingestObjects(d, "Salesforce-Contact", [
      contact("003A", { Phone: "4155550199" }),
    ]);
    const id = a.results[0]!.profileId!;
    await write(d, (tx) => profiles.update(tx, d, id, { FirstName: "Augusta" }, "agent"));
    clock.advance(1000);
    await ingestor.ingestObjects(d, "Salesforce-Contact", [
      contact("003A", {
        FirstName: "Ada2",
        LastName: "King",
        Phone: undefined,
        SystemModstamp: "2024-05-01T00:00:00.000+0000",
      }),
    ]);
    const p = await profiles.require(t.db, d, id);
    expect(p).toMatchObject({ FirstName: "Augusta", LastName: "King", PhoneNumber: "4155550199" });
  });

  it("deleting an object re-derives the fields it fed", async () => {
    const d = fresh();
    const a = await ingestor.ingestObjects(d, "Salesforce-Contact", [contact("003A", { FirstName: "Ada" })]);
    const id = a.results[0]!.profileId!;
    await ingestor.ingestObjects(d, "Marketo-leads", [
      { id: "9", sfdcContactId: "003A", firstName: "Adeline", updatedAt: "2024-06-01T00:00:00Z" },
    ]);
    expect((await profiles.require(t.db, d, id)).FirstName).toBe("Adeline");
    await write(d, (tx) => objects.delete(tx, d, id, "Marketo-leads", "9", "test"));
    const p = await profiles.require(t.db, d, id);
    expect(p.FirstName).toBe("Ada");
    expect((p.Attributes as Record<string, string>).MarketoLeadId).toBeUndefined();
  });

  it("no match and AllowProfileCreation false → a dead letter with its reason; LOOKUP_ONLY and NEW_ONLY", async () => {
    const d = fresh();
    types.types.set("Ticket", {
      ObjectTypeName: "Ticket",
      Description: "tickets",
      AllowProfileCreation: false,
      Fields: {
        id: { Source: "_source.id" },
        email: { Source: "_source.email", ContentType: "EMAIL_ADDRESS" },
      },
      Keys: {
        _ticketId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
        _email: [{ StandardIdentifiers: ["PROFILE", "LOOKUP_ONLY"], FieldNames: ["email"] }],
      },
    });
    const r = await ingestor.ingestObjects(d, "Ticket", [{ id: "t1", email: "nobody@example.com" }, "{nope"]);
    expect(r).toMatchObject({ accepted: 0, deadLettered: 2 });
    expect(r.results.map((x) => x.reason?.code)).toEqual(["NO_MATCHING_PROFILE", "OBJECT_NOT_JSON"]);
    expect(r.results[0]!.profileObjectUniqueKey).toBe("t1");
    const owner = await write(d, (tx) =>
      profiles.create(tx, d, { EmailAddress: "someone@example.com" }, "test"),
    );
    const ok = await ingestor.ingestObjects(d, "Ticket", [{ id: "t2", email: "Someone@example.com" }]);
    expect(ok.results[0]).toMatchObject({ status: "matched", profileId: owner });
    const keys = await t.db
      .selectFrom("profile_keys")
      .select("key_name")
      .where("domain_name", "=", d)
      .where("object_key", "=", "t2")
      .execute();
    expect(keys.map((k) => k.key_name)).toEqual(["_ticketId"]);
  });

  it("8 concurrent writers putting the same new people create exactly one profile each", async () => {
    const d = fresh();
    const people = Array.from({ length: 12 }, (_, i) => `p${i}@example.com`);
    // On PostgreSQL each writer has its own pool, as separate workers would: serialization must come
    // from the database. SQLite in one process has one connection (a second one would block the
    // event loop on the file lock); its writers share it as a server's concurrent requests do.
    const handles =
      dialect === "postgres"
        ? await Promise.all(Array.from({ length: 8 }, () => openDatabase({ ...t.location, poolSize: 2 })))
        : [];
    const writer = async (w: number) => {
      const ingest = new ProfileIngestor(handles[w] ?? t, types, clock);
      for (let round = 0; round < 3; round++) {
        const batch = people
          .map((email, i) => ({ id: `w${w}-r${round}-${i}`, email: email.toUpperCase() }))
          .sort(() => ((w * 7 + round) % 3) - 1);
        await ingest.ingestObjects(d, "Signup", batch);
        await ingest.ingestObjects(d, "Signup", [batch[w % batch.length]!]);
      }
    };
    try {
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    expect(await profileCount(d)).toBe(people.length);
    const owners = await t.db
      .selectFrom("profile_keys")
      .select(["key_value", (eb) => eb.fn.count("profile_id").distinct().as("n")])
      .where("domain_name", "=", d)
      .where("key_name", "=", "_email")
      .groupBy("key_value")
      .execute();
    expect(owners.map((o) => Number(o.n))).toEqual(people.map(() => 1));
  });
});
