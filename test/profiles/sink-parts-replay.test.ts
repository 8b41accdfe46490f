import { PutProfileObjectTypeCommand } from "@aws-sdk/client-customer-profiles";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch, SinkRecord } from "../../src/flows/record-sink.ts";
import { startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

const DomainName = "parts-replay";

/** Signups s0…s9; s3 and s7 have no id, which their UNIQUE key needs: dead letters. */
function signups(): SinkRecord[] {
  return Array.from({ length: 10 }, (_, i) => ({
    id: `s${i}`,
    sourceTimestamp: 1_700_000_000_000 + i,
    data: {
      ...(i === 3 || i === 7 ? {} : { id: `s${i}` }),
      email: `p${i}@example.com`,
      name: `Person${i}`,
    },
  }));
}

describeEachDialect("the profiles sink, a page in parts and read again after a crash", (dialect) => {
  let t: TestServer;
  let db: Kysely<Database>;
  let execution = 0;

  beforeAll(async () => {
    t = await startSignupServer(dialect, DomainName);
    db = t.server.database.db as Kysely<Database>;
    // The same records, as a type without a UNIQUE key: each ingestion stores new objects.
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName,
        ObjectTypeName: "Note",
        Description: "notes without a unique key",
        AllowProfileCreation: true,
        Fields: {
          email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
        },
        Keys: { _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }] },
      }),
    );
  });
  afterAll(async () => t?.close());

  const sink = () => profilesSink(t.server.profiles, { now: () => Date.now() });
  const batchOf = (over: Partial<SinkBatch>): SinkBatch =>
    ({
      flow: { definition: { flowName: "signups" } },
      executionId: `exec-${execution}`,
      replaySince: Date.now() - 1_000,
      domainName: DomainName,
      objectTypeName: "Signup",
      records: signups(),
      deletions: [],
      rejected: [{ recordId: "R-1", data: { id: "R-1" }, code: "TASK_FAILED", message: "refused by a task" }],
      ...over,
    }) as SinkBatch;
  const write = (batch: SinkBatch) => db.transaction().execute((tx) => sink().writeBatch(tx, batch));
  const ingestedPerObject = async (type: string) => {
    const rows = await db
      .selectFrom("profile_history")
      .select(["object_key", (eb) => eb.fn.countAll<number>().as("n")])
      .where("domain_name", "=", DomainName)
      .where("object_type_name", "=", type)
      .where("action_type", "=", "INGESTED")
      .groupBy("object_key")
      .orderBy("object_key")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.object_key, Number(r.n)]));
  };
  const deadLetters = async () =>
    (
      await db
        .selectFrom("profile_dead_letters")
        .select(["object_key", "reason_code"])
        .where("domain_name", "=", DomainName)
        .orderBy("reason_code")
        .orderBy("object_key")
        .execute()
    ).map((d) => `${d.reason_code}:${d.object_key ?? "-"}`);

  it("a part writes only its records; the page read again stores each record once, a changed one again", async () => {
    execution++;
    const first = await write(batchOf({ partLimit: 5 }));
    expect(first.consumed).toBe(5);
    expect(first.failed.map((f) => f.recordId)).toEqual(["s3"]);
    expect(Object.keys(await ingestedPerObject("Signup"))).toEqual(["s0", "s1", "s2", "s4"]);
    // The refused record waits for the page's last part.
    expect(await deadLetters()).toEqual(["UNIQUE_KEY_MISSING:-"]);

    // The crash: the checkpoint is the page's, so the whole page comes again; s1 changed meanwhile.
    const again = signups();
    again[1] = { ...again[1]!, data: { ...again[1]!.data, name: "Renamed" } };
    const second = await write(batchOf({ records: again }));
    expect(second.consumed).toBeUndefined();
    expect(second.failed.map((f) => f.recordId)).toEqual(["s3", "s7"]);
    expect(second.accepted).toBe(8);
    expect(await ingestedPerObject("Signup")).toEqual({
      s0: 1,
      s1: 2,
      s2: 1,
      s4: 1,
      s5: 1,
      s6: 1,
      s8: 1,
      s9: 1,
    });
    // Each bad record kept once, and the refused one now.
    expect(await deadLetters()).toEqual(["TASK_FAILED:R-1", "UNIQUE_KEY_MISSING:-", "UNIQUE_KEY_MISSING:-"]);
    const profiles = await db
      .selectFrom("profiles")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("domain_name", "=", DomainName)
      .executeTakeFirstOrThrow();
    expect(Number(profiles.n)).toBe(8);
  });

  it("an object stored before the last checkpoint is not a part read again: the same record is written again", async () => {
    execution++;
    // The last checkpoint committed after the objects above were stored (beyond the clocks' allowed skew).
    const late = Date.now() + 5 * 60_000;
    await write(batchOf({ replaySince: late, records: signups().slice(0, 1), rejected: [] }));
    expect((await ingestedPerObject("Signup"))["s0"]).toBe(2);
  });

  it("two bad records alike but for their source id are two dead letters; each read again stays one", async () => {
    execution++;
    const before = (await deadLetters()).length;
    const twins: SinkRecord[] = ["t1", "t2"].map((id) => ({
      id,
      sourceTimestamp: 1_700_000_000_000,
      data: { email: "twin@example.com", name: "Twin" }, // no id: UNIQUE_KEY_MISSING
    }));
    await write(batchOf({ records: twins, rejected: [] }));
    await write(batchOf({ records: twins, rejected: [] })); // the same group read again
    expect((await deadLetters()).length - before).toBe(2);
  });

  it("a type without a UNIQUE key takes the whole page whatever the part asked", async () => {
    execution++;
    const res = await write(batchOf({ objectTypeName: "Note", partLimit: 2, rejected: [] }));
    expect(res.consumed).toBeUndefined();
    const notes = await db
      .selectFrom("profile_objects")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("domain_name", "=", DomainName)
      .where("object_type_name", "=", "Note")
      .executeTakeFirstOrThrow();
    expect(Number(notes.n)).toBe(10);
  });
});
