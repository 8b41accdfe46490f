import {
  CreateDomainCommand,
  DeleteDomainCommand,
  PutProfileObjectTypeCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch, SinkRecord } from "../../src/flows/record-sink.ts";
import { MAX_AHEAD_CHARS } from "../../src/security/kms/seal-worker.ts";
import { signupRecords, signupType, startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

const DomainName = "prefetch";

// Payloads sealed and key values blind-indexed by the seal worker ahead of the part or page that
// stores them (DomainKeys.prefetch): what is stored is what would have been computed inline.
describeEachDialect("the profiles sink, sealing ahead off the main thread", (dialect) => {
  let t: TestServer;
  let db: Kysely<Database>;

  beforeAll(async () => {
    // On whichever dialect: SQLite seals inline unless told otherwise (test/profiles/seal-ahead-setting.test.ts).
    t = await startSignupServer(dialect, DomainName, { sealAhead: "on" });
    db = t.server.database.db as Kysely<Database>;
  });
  afterAll(async () => t?.close());

  const sink = () => profilesSink(t.server.profiles, { now: () => Date.now() });
  const batchOf = (records: SinkRecord[], partLimit?: number): SinkBatch =>
    ({
      flow: { definition: { flowName: "signups" } },
      executionId: "exec-prefetch",
      replaySince: Date.now() - 1_000,
      domainName: DomainName,
      objectTypeName: "Signup",
      records,
      deletions: [],
      rejected: [],
      ...(partLimit !== undefined ? { partLimit } : {}),
    }) as unknown as SinkBatch;
  const write = (batch: SinkBatch) => db.transaction().execute((tx) => sink().writeBatch(tx, batch));
  const keys = () => t.server.domainKeys;

  /** Every stored object of `records`: its payload opens to the record's JSON, and no sealed value is stored twice. */
  async function expectStored(records: SinkRecord[]) {
    const rows = await db
      .selectFrom("profile_objects")
      .select(["object_key", "payload"])
      .where("domain_name", "=", DomainName)
      .where(
        "object_key",
        "in",
        records.map((r) => r.id),
      )
      .execute();
    expect(rows).toHaveLength(records.length);
    const box = (await keys().boxesIn(db, DomainName)).at("profile_objects.payload");
    const byKey = new Map(rows.map((r) => [r.object_key, r.payload]));
    for (const r of records) {
      const sealed = byKey.get(r.id)!;
      expect(sealed.startsWith("pfe2.")).toBe(true);
      expect(box.open(sealed)).toBe(JSON.stringify(r.data));
    }
    expect(new Set(rows.map((r) => r.payload)).size).toBe(rows.length);
    // Each key value found by its blind index, as a lookup computed inline finds it.
    for (const r of records) {
      const found = await t.profiles.send(
        new SearchProfilesCommand({
          DomainName,
          KeyName: "_email",
          Values: [`p${r.id.slice(1)}@example.com`],
        }),
      );
      expect(found.Items?.length).toBe(1);
    }
  }

  it("a page in parts: each part has the next one sealed and indexed by the worker, which opens as stored", async () => {
    const before = keys().prefetchedTaken(DomainName);
    const page = signupRecords(0, 10);
    for (let from = 0; from < page.length; ) {
      const rest = page.slice(from);
      const r = await write(batchOf(rest, rest.length > 3 ? 3 : undefined));
      from += r.consumed ?? rest.length;
      await keys().prefetchesDone(DomainName);
    }
    const taken = keys().prefetchedTaken(DomainName);
    // Parts of 3, 3, 3, then 1: the last three parts' 7 payloads were sealed ahead, and their key values
    // (UNIQUE id, email, the profile's own search keys) indexed ahead.
    expect(taken.seals - before.seals).toBe(7);
    expect(taken.indexes - before.indexes).toBeGreaterThanOrEqual(7 * 2);
    await expectStored(page);
  });

  it("a page read ahead: handed over before its group, its payloads are taken from the worker", async () => {
    const before = keys().prefetchedTaken(DomainName);
    const page = signupRecords(10, 5);
    sink().prefetch?.({ domainName: DomainName, objectTypeName: "Signup" }, page);
    await keys().prefetchesDone(DomainName);
    const r = await write(batchOf(page));
    expect(r.accepted).toBe(5);
    expect(keys().prefetchedTaken(DomainName).seals - before.seals).toBe(5);
    await expectStored(page);
  });

  it("a value longer than MAX_AHEAD_CHARS is not sent to the worker: it is sealed inline", async () => {
    const before = keys().prefetchedTaken(DomainName);
    const page = signupRecords(40, 3);
    page[1] = { ...page[1]!, data: { ...page[1]!.data, name: "N".repeat(MAX_AHEAD_CHARS) } };
    sink().prefetch?.({ domainName: DomainName, objectTypeName: "Signup" }, page);
    await keys().prefetchesDone(DomainName);
    const r = await write(batchOf(page));
    expect(r.accepted).toBe(3);
    expect(keys().prefetchedTaken(DomainName).seals - before.seals).toBe(2);
    await expectStored(page);
  });

  it("a prefetch that guessed wrong costs nothing but itself: a changed record is sealed inline", async () => {
    const before = keys().prefetchedTaken(DomainName);
    const page = signupRecords(20, 3);
    sink().prefetch?.({ domainName: DomainName, objectTypeName: "Signup" }, page);
    await keys().prefetchesDone(DomainName);
    // Other objects than those handed over (the same ids, another name): none of them is taken.
    const changed = page.map((r) => ({ ...r, data: { ...r.data, name: "Changed" } }));
    await write(batchOf(changed));
    expect(keys().prefetchedTaken(DomainName).seals - before.seals).toBe(0);
    await expectStored(changed);
  });

  it("values sealed ahead under a domain's old data key are never used: deleted and made again, it seals anew", async () => {
    const page = signupRecords(30, 3);
    // An operation of the domain made its store; the page is then sealed ahead under that data key.
    await write(batchOf(signupRecords(29, 1)));
    sink().prefetch?.({ domainName: DomainName, objectTypeName: "Signup" }, page);
    await keys().prefetchesDone(DomainName);
    // Deleted and made again in this same process: a new data key.
    await t.profiles.send(new DeleteDomainCommand({ DomainName }));
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
    await t.profiles.send(new PutProfileObjectTypeCommand(signupType(DomainName)));
    const before = keys().prefetchedTaken(DomainName);
    await write(batchOf(page));
    expect(keys().prefetchedTaken(DomainName).seals - before.seals).toBe(0);
    await expectStored(page);
  });

  it("an object type changed between the prefetch and the write: the records are mapped again with the new one", async () => {
    const page = signupRecords(40, 2);
    sink().prefetch?.({ domainName: DomainName, objectTypeName: "Signup" }, page);
    await keys().prefetchesDone(DomainName);
    // The type now also keys profiles by name.
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        ...signupType(DomainName),
        Description: "web signups, keyed by name too",
        Keys: {
          ...signupType(DomainName).Keys,
          _signupName: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["name"] }],
        },
      }),
    );
    await write(batchOf(page));
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_signupName", Values: ["Person41"] }),
    );
    expect(found.Items?.map((p) => p.EmailAddress)).toEqual(["p41@example.com"]);
    await expectStored(page);
  });
});
