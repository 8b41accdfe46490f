import Sqlite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ProfileflowError } from "../../src/core/errors.ts";
import type { Database } from "../../src/db/schema.ts";
import { inDomainTransaction, transactionFailure } from "../../src/profiles/domain-transaction.ts";
import type { IngestSummary } from "../../src/profiles/ingest-types.ts";
import {
  MAX_BATCH_CHARS,
  MAX_BATCH_OBJECTS,
  MAX_WAITING,
  ObjectPutBatcher,
} from "../../src/profiles/object-put-batcher.ts";

/** A real SQLite database with a foreign key checked at commit (deferred). */
async function deferredKeyDatabase(): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(":memory:") }) });
  await sql`pragma foreign_keys = on`.execute(db);
  await sql`create table parent (id integer primary key)`.execute(db);
  await sql`create table child (parent_id integer references parent(id) deferrable initially deferred)`.execute(
    db,
  );
  return db;
}

/** A real error of inDomainTransaction's COMMIT: every statement succeeded, the deferred key fails at commit. */
async function commitFailure(): Promise<unknown> {
  const db = await deferredKeyDatabase();
  const error = await inDomainTransaction(db, "sqlite", "d", async (trx) => {
    await sql`insert into child values (1)`.execute(trx);
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await db.destroy();
  return error;
}

/** A real error of inDomainTransaction before it began: the database is closed. */
async function beginFailure(): Promise<unknown> {
  const db = await deferredKeyDatabase();
  await db.destroy();
  return inDomainTransaction(db, "sqlite", "d", async () => undefined).then(
    () => undefined,
    (e: unknown) => e,
  );
}

const turn = () => new Promise((r) => setImmediate(r));

/** An ingest that records each batch and finishes only when the test releases it. */
function gatedIngest(fail?: (texts: readonly string[]) => unknown) {
  const batches: { key: string; texts: string[] }[] = [];
  const gates: (() => void)[] = [];
  const ingest = async (domain: string, type: string, texts: readonly string[], by: string) => {
    batches.push({ key: `${domain}/${type}/${by}`, texts: [...texts] });
    await new Promise<void>((release) => gates.push(release));
    const failure = fail?.(texts);
    if (failure instanceof Error || (typeof failure === "object" && failure !== null)) throw failure;
    if (failure) throw new Error(`refused ${texts.join(",")}`);
    return {
      accepted: texts.length,
      deadLettered: 0,
      ignored: 0,
      bytes: texts.join("").length,
      results: texts.map((t) => ({ status: "created", profileObjectUniqueKey: `key-${t}` })),
    } as IngestSummary;
  };
  /** Lets every batch started so far finish, and waits for the batcher to react. */
  const release = async () => {
    for (const g of gates.splice(0)) g();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { ingest, batches, release };
}

describe("ObjectPutBatcher", () => {
  it("writes a lone put after one turn of the event loop; puts arriving meanwhile go together next, in order, each answered with its own result", async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me");
    expect(g.batches).toEqual([]);
    await turn();
    expect(g.batches).toEqual([{ key: "d/T/me", texts: ["a"] }]);
    const rest = ["b", "c", "d"].map((t) => b.put("d", "T", t, "me"));
    // Nothing more is written while the first batch is.
    expect(g.batches).toHaveLength(1);
    await g.release();
    expect(g.batches[1]).toEqual({ key: "d/T/me", texts: ["b", "c", "d"] });
    await g.release();
    expect((await first).results[0]!.profileObjectUniqueKey).toBe("key-a");
    const answered = await Promise.all(rest);
    expect(answered.map((s) => s.results.map((r) => r.profileObjectUniqueKey))).toEqual([
      ["key-b"],
      ["key-c"],
      ["key-d"],
    ]);
    expect(answered.map((s) => [s.accepted, s.bytes])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    // Drained and forgotten: the next put goes after a turn, alone.
    const again = b.put("d", "T", "e", "me");
    await turn();
    expect(g.batches.at(-1)).toEqual({ key: "d/T/me", texts: ["e"] });
    await g.release();
    await again;
  });

  it("puts received in the same turn of the event loop go as one batch", async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const puts = ["a", "b", "c"].map((t) => b.put("d", "T", t, "me"));
    await turn();
    expect(g.batches).toEqual([{ key: "d/T/me", texts: ["a", "b", "c"] }]);
    await g.release();
    await Promise.all(puts);
  });

  it("keeps domains, object types and callers apart: each has its own batches, written side by side", async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const puts = [b.put("d", "T", "a", "me"), b.put("d", "U", "b", "me"), b.put("d", "T", "c", "you")];
    puts.push(b.put("e", "T", "d", "me"));
    await turn();
    expect(g.batches.map((x) => x.key)).toEqual(["d/T/me", "d/U/me", "d/T/you", "e/T/me"]);
    await g.release();
    await Promise.all(puts);
  });

  it("a batch that fails as a whole is tried again one put at a time: only the put that fails alone fails", async () => {
    const g = gatedIngest((texts) => texts.includes("bad"));
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me");
    await turn();
    const waiting = ["b", "bad", "c"].map((t) => b.put("d", "T", t, "me"));
    const outcome = Promise.allSettled(waiting);
    for (let i = 0; i < 6; i++) await g.release();
    await first;
    const settled = await outcome;
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe("refused bad");
    expect(g.batches.map((x) => x.texts)).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });

  it(`takes at most ${MAX_BATCH_OBJECTS} puts, or ${MAX_BATCH_CHARS} characters, in one batch`, async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "first", "me");
    await turn();
    const puts = Array.from({ length: MAX_BATCH_OBJECTS + 10 }, (_, i) => b.put("d", "T", `o${i}`, "me"));
    const big = "x".repeat(MAX_BATCH_CHARS * 0.4);
    for (let i = 0; i < 3; i++) puts.push(b.put("d", "T", big, "me"));
    puts.push(first);
    for (let i = 0; i < 6; i++) await g.release();
    await Promise.all(puts);
    // 64 small ones; then 10 small and two large (the third would pass the character limit); then it.
    expect(g.batches.map((x) => x.texts.length)).toEqual([1, MAX_BATCH_OBJECTS, 12, 1]);
  });

  it("an error of ours, which every put of the batch would meet, fails them all at once: no retries", async () => {
    const gone = new ProfileflowError("RESOURCE_NOT_FOUND", "Object type T does not exist in domain d");
    const g = gatedIngest(() => gone);
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me").catch((e: unknown) => e);
    await turn();
    const waiting = ["b", "c", "d"].map((t) => b.put("d", "T", t, "me").catch((e: unknown) => e));
    for (let i = 0; i < 3; i++) await g.release();
    expect(await Promise.all([first, ...waiting])).toEqual([gone, gone, gone, gone]);
    expect(g.batches.map((x) => x.texts)).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("a batch whose COMMIT failed is not written again (it may have been kept): every put of it fails", async () => {
    const atCommit = await commitFailure();
    expect(transactionFailure(atCommit)).toBe("commit");
    expect(transactionFailure(new Error("inside the transaction"))).toBeUndefined();
    // An error inside `fn` is not marked, even though the transaction was rolled back.
    const db = await deferredKeyDatabase();
    const inside = await inDomainTransaction(db, "sqlite", "d", async (trx) => {
      await sql`insert into nowhere values (1)`.execute(trx);
    }).catch((e: unknown) => e);
    await db.destroy();
    expect(transactionFailure(inside)).toBeUndefined();
    const g = gatedIngest((texts) => (texts.length > 1 ? atCommit : false));
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me");
    await turn();
    const waiting = ["b", "c"].map((t) => b.put("d", "T", t, "me").catch((e: unknown) => e));
    for (let i = 0; i < 3; i++) await g.release();
    await first;
    expect(await Promise.all(waiting)).toEqual([atCommit, atCommit]);
    expect(g.batches.map((x) => x.texts)).toEqual([["a"], ["b", "c"]]);
  });

  it("a batch whose transaction could not begin fails every put of it: no retries", async () => {
    const notBegun = await beginFailure();
    expect(transactionFailure(notBegun)).toBe("begin");
    const g = gatedIngest((texts) => (texts.length > 1 ? notBegun : false));
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me");
    await turn();
    const waiting = Promise.allSettled(["b", "c"].map((t) => b.put("d", "T", t, "me")));
    for (let i = 0; i < 3; i++) await g.release();
    await first;
    expect((await waiting).map((r) => (r.status === "rejected" ? r.reason : r.status))).toEqual([
      notBegun,
      notBegun,
    ]);
    expect(g.batches.map((x) => x.texts)).toEqual([["a"], ["b", "c"]]);
  });

  it("an error of ours about one object's profile (a stored row unreadable) is retried one put at a time", async () => {
    const unreadable = new ProfileflowError("STORED_DATA_INVALID", "a stored value cannot be read");
    const g = gatedIngest((texts) => (texts.includes("bad") ? unreadable : false));
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "a", "me");
    await turn();
    const waiting = Promise.allSettled(["b", "bad"].map((t) => b.put("d", "T", t, "me")));
    for (let i = 0; i < 5; i++) await g.release();
    await first;
    expect((await waiting).map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(g.batches.map((x) => x.texts)).toEqual([["a"], ["b", "bad"], ["b"], ["bad"]]);
  });

  it(`refuses a put (THROTTLED) when ${MAX_WAITING} already wait`, async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "first", "me");
    await turn();
    const waiting = Array.from({ length: MAX_WAITING }, (_, i) => b.put("d", "T", `o${i}`, "me"));
    await expect(b.put("d", "T", "one too many", "me")).rejects.toMatchObject({ code: "THROTTLED" });
    // Another caller has its own queue.
    const other = b.put("d", "T", "other", "you");
    while (g.batches.length < 2 + Math.ceil(MAX_WAITING / MAX_BATCH_OBJECTS)) await g.release();
    await g.release();
    await Promise.all([first, other, ...waiting]);
  });

  it("an answer it cannot split fails the batch's puts, and the queue goes on", async () => {
    let calls = 0;
    const b = new ObjectPutBatcher(async (_d, _t, texts) => {
      calls++;
      const results =
        calls === 1 ? [] : texts.map((t) => ({ status: "created" as const, profileObjectUniqueKey: t }));
      return { accepted: results.length, deadLettered: 0, ignored: 0, bytes: 0, results };
    });
    await expect(b.put("d", "T", "a", "me")).rejects.toThrow();
    expect((await b.put("d", "T", "b", "me")).results[0]!.profileObjectUniqueKey).toBe("b");
  });
});
