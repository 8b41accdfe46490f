import { describe, expect, it } from "vitest";
import type { IngestSummary } from "../../src/profiles/ingest-types.ts";
import { MAX_BATCH_OBJECTS, ObjectPutBatcher } from "../../src/profiles/object-put-batcher.ts";

const turn = () => new Promise((r) => setImmediate(r));

/** An ingest that records each batch and finishes only when the test releases it. */
function gatedIngest(fail?: (texts: readonly string[]) => boolean) {
  const batches: { key: string; texts: string[] }[] = [];
  const gates: (() => void)[] = [];
  const ingest = async (domain: string, type: string, texts: readonly string[], by: string) => {
    batches.push({ key: `${domain}/${type}/${by}`, texts: [...texts] });
    await new Promise<void>((release) => gates.push(release));
    if (fail?.(texts)) throw new Error(`refused ${texts.join(",")}`);
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

  it(`takes at most ${MAX_BATCH_OBJECTS} puts in one batch`, async () => {
    const g = gatedIngest();
    const b = new ObjectPutBatcher(g.ingest);
    const first = b.put("d", "T", "first", "me");
    await turn();
    const puts = Array.from({ length: MAX_BATCH_OBJECTS + 101 }, (_, i) => b.put("d", "T", `o${i}`, "me"));
    puts.push(first);
    for (let i = 0; i < 4; i++) await g.release();
    await Promise.all(puts);
    expect(g.batches.map((x) => x.texts.length)).toEqual([1, MAX_BATCH_OBJECTS, 101]);
  });
});
