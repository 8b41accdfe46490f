import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { codeOf, marketoClient } from "./marketo-client.ts";

const START = Date.UTC(2025, 4, 1, 12, 0, 0);
const DAY = 86_400_000;
let sb: MarketoSandbox;
let mk: ReturnType<typeof marketoClient>;
let token: string;

beforeAll(async () => {
  sb = await startMarketoSandbox({ seed: 11, people: 2000, clock: { start: START, speed: 0 } });
  mk = marketoClient(sb);
  token = await mk.token();
});
afterAll(() => sb.close());

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const job = (
  from: number,
  to: number,
  fields = ["id", "email", "firstName", "sfdcContactId", "updatedAt"],
) => ({
  fields,
  format: "CSV",
  filter: { updatedAt: { startAt: iso(from), endAt: iso(to) } },
});
const create = async (body: unknown) => {
  const res = await mk.post("/bulk/v1/leads/export/create.json", body, token);
  return res;
};
const act = (id: string, what: "enqueue" | "cancel") =>
  mk.post(`/bulk/v1/leads/export/${id}/${what}.json`, {}, token);
const status = async (id: string) =>
  (await mk.get(`/bulk/v1/leads/export/${id}/status.json`, {}, token)).result?.[0] as Record<string, unknown>;

describe("marketo bulk lead extract", () => {
  it("refuses windows over 31 days and datetimes with milliseconds (1003)", async () => {
    expect(codeOf(await create(job(START - 40 * DAY, START - 8 * DAY)))).toBe("1003");
    const ms = {
      fields: ["id"],
      filter: { updatedAt: { startAt: "2025-01-01T00:00:00.000Z", endAt: "2025-01-02T00:00:00Z" } },
    };
    expect(codeOf(await create(ms))).toBe("1003");
    expect(codeOf(await create({ fields: ["nope"], filter: { updatedAt: {} } }))).toBe("1006");
  });

  it("runs Created → Queued → Processing → Completed on 60 s steps and returns exactly the ground truth of its window", async () => {
    const to = Math.floor((START - 10 * DAY) / 1000) * 1000;
    const from = to - 31 * DAY;
    const created = await create(job(from, to));
    expect(created.success).toBe(true);
    const id = String(created.result?.[0]?.exportId);
    expect(created.result?.[0]).toMatchObject({ status: "Created", format: "CSV" });
    expect(String(created.result?.[0]?.createdAt)).toMatch(/-05:00$/);
    expect((await act(id, "enqueue")).result?.[0]).toMatchObject({ status: "Queued" });
    const early = await fetch(`${sb.url}/bulk/v1/leads/export/${id}/file.json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(early.status).toBe(404);
    expect(early.headers.get("content-type")).toMatch(/^text\/plain/);
    await mk.advance(30_000);
    expect((await status(id)).status).toBe("Queued");
    await mk.advance(30_000);
    expect((await status(id)).status).toBe("Processing");
    await mk.advance(60_000);
    const done = await status(id);
    expect(done).toMatchObject({ status: "Completed" });

    const res = await fetch(`${sb.url}/bulk/v1/leads/export/${id}/file.json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(done.fileSize).toBe(bytes.length);
    expect(done.fileChecksum).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
    const lines = bytes.toString("utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("id,email,firstName,sfdcContactId,updatedAt");
    const ids = lines.slice(1).map((l) => l.split(",")[0]!);
    expect(done.numberOfRecords).toBe(ids.length);

    const truth = await mk.truth();
    const expected = truth
      .filter((t) => !t.deleted && Date.parse(t.stamp) >= from && Date.parse(t.stamp) < to)
      .map((t) => t.id);
    expect(expected.length).toBeGreaterThan(20);
    expect([...ids].sort()).toEqual([...expected].sort());

    const part = await fetch(`${sb.url}/bulk/v1/leads/export/${id}/file.json`, {
      headers: { authorization: `Bearer ${token}`, range: "bytes=0-9" },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-9/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
  });

  it("processes two jobs at a time, queues ten, refuses the eleventh with 1029; cancel frees a place", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 11; i++)
      ids.push(String((await create(job(START - 3 * DAY, START - 2 * DAY))).result?.[0]?.exportId));
    for (const id of ids.slice(0, 10)) expect((await act(id, "enqueue")).success).toBe(true);
    const refused = await act(ids[10]!, "enqueue");
    expect(refused).toMatchObject({
      success: false,
      errors: [{ code: "1029", message: "Too many jobs in queue" }],
    });
    await mk.advance(60_000);
    const states = await Promise.all(ids.slice(0, 10).map(status));
    expect(states.filter((s) => s.status === "Processing")).toHaveLength(2);
    expect((await act(ids[9]!, "cancel")).result?.[0]).toMatchObject({ status: "Cancelled" });
    expect((await act(ids[10]!, "enqueue")).success).toBe(true);
    const listed = await mk.get("/bulk/v1/leads/export.json", { status: "Cancelled" }, token);
    expect((listed.result ?? []).map((j) => j.exportId)).toContain(ids[9]);
    await mk.advance(12 * 60_000);
    const finished = await Promise.all([...ids.slice(0, 9), ids[10]!].map(status));
    expect(finished.every((s) => s.status === "Completed")).toBe(true);
  });
});

describe("marketo bulk quotas and subscriptions", () => {
  it("refuses to enqueue once the daily export allocation is used (1029), until midnight Chicago", async () => {
    const small = await startMarketoSandbox({
      seed: 11,
      people: 400,
      clock: { start: START, speed: 0 },
      bulk: { dailyQuotaBytes: 300 },
    });
    try {
      const c = marketoClient(small);
      const t = await c.token();
      const post = (path: string, body: unknown) => c.post(path, body, t);
      const a = String(
        (await post("/bulk/v1/leads/export/create.json", job(START - 30 * DAY, START - DAY))).result?.[0]
          ?.exportId,
      );
      await post(`/bulk/v1/leads/export/${a}/enqueue.json`, {});
      await c.advance(180_000);
      const t2 = await c.token();
      const doneA = (await c.get(`/bulk/v1/leads/export/${a}/status.json`, {}, t2)).result?.[0];
      expect(doneA).toMatchObject({ status: "Completed" });
      expect(Number(doneA?.fileSize)).toBeGreaterThan(300);
      await c.advance(21_000);
      const b = String(
        (await c.post("/bulk/v1/leads/export/create.json", job(START - 30 * DAY, START - DAY), t2))
          .result?.[0]?.exportId,
      );
      await c.advance(21_000);
      const refused = await c.post(`/bulk/v1/leads/export/${b}/enqueue.json`, {}, t2);
      expect(codeOf(refused)).toBe("1029");
      expect(refused.errors?.[0]?.message).toMatch(/^Export daily quota \d+MB exceeded$/);
      await c.admin("POST", "clock", { set: Date.UTC(2025, 4, 2, 5, 0, 0) });
      const t3 = await c.token();
      expect((await c.post(`/bulk/v1/leads/export/${b}/enqueue.json`, {}, t3)).success).toBe(true);
    } finally {
      await small.close();
    }
  });

  it("answers 1035 for an updatedAt filter where the subscription lacks it; createdAt still works", async () => {
    const lacking = await startMarketoSandbox({
      seed: 11,
      people: 100,
      clock: { start: START, speed: 0 },
      bulk: { updatedAtFilter: false },
    });
    try {
      const c = marketoClient(lacking);
      const t = await c.token();
      expect(
        codeOf(await c.post("/bulk/v1/leads/export/create.json", job(START - 5 * DAY, START - DAY), t)),
      ).toBe("1035");
      const byCreated = {
        fields: ["id"],
        filter: { createdAt: { startAt: iso(START - 5 * DAY), endAt: iso(START - DAY) } },
      };
      expect((await c.post("/bulk/v1/leads/export/create.json", byCreated, t)).success).toBe(true);
    } finally {
      await lacking.close();
    }
  });
});
