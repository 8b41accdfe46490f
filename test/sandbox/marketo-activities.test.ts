import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { codeOf, marketoClient } from "./marketo-client.ts";

const START = Date.UTC(2025, 2, 10, 15, 0, 0);
let sb: MarketoSandbox;
let mk: ReturnType<typeof marketoClient>;
let token: string;

beforeAll(async () => {
  sb = await startMarketoSandbox({
    seed: 5,
    people: 600,
    clock: { start: START, speed: 0 },
    activityScanLimit: 120,
  });
  mk = marketoClient(sb);
  token = await mk.token();
});
afterAll(() => sb.close());

const since = async (iso: string) => {
  const t = await mk.get("/rest/v1/activities/pagingtoken.json", { sinceDatetime: iso }, token);
  expect(t.success).toBe(true);
  return t.nextPageToken!;
};
const CHANGE_FIELDS = "email,firstName,lastName,phone,title,leadSource,city,unsubscribed";

describe("marketo activity feeds", () => {
  it("leadchanges from the start of history names every lead, each page continuing the last", async () => {
    const truth = await mk.truth();
    const start = await since("2020-01-01T00:00:00Z");
    const { items, pages, shortWithMore } = await mk.drain(
      "/rest/v1/activities/leadchanges.json",
      token,
      start,
      {
        fields: CHANGE_FIELDS,
        batchSize: 200,
      },
    );
    // 300 leads, 120 scanned per page: every page but the last is short and says moreResult:true.
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(shortWithMore).toBe(pages - 1);
    const guids = items.map((a) => a.marketoGUID);
    expect(new Set(guids).size).toBe(guids.length);
    expect(new Set(items.map((a) => String(a.leadId)))).toEqual(new Set(truth.map((t) => t.id)));
    for (const a of items) {
      expect([12, 13]).toContain(a.activityTypeId);
      expect(String(a.activityDate)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    }
    const dates = items.map((a) => Date.parse(String(a.activityDate).replace("+0000", "Z")));
    expect(dates).toEqual([...dates].sort((x, y) => x - y));
  });

  it("requires fields and a valid token (1003 / 1006)", async () => {
    const start = await since("2024-01-01T00:00:00Z");
    expect(
      codeOf(await mk.get("/rest/v1/activities/leadchanges.json", { nextPageToken: start }, token)),
    ).toBe("1003");
    expect(
      codeOf(
        await mk.get(
          "/rest/v1/activities/leadchanges.json",
          { nextPageToken: start, fields: "bogus" },
          token,
        ),
      ),
    ).toBe("1006");
    expect(
      codeOf(
        await mk.get(
          "/rest/v1/activities/leadchanges.json",
          { nextPageToken: "NOPE", fields: "email" },
          token,
        ),
      ),
    ).toBe("1003");
    expect(codeOf(await mk.get("/rest/v1/activities/pagingtoken.json", {}, token))).toBe("1003");
  });

  it("a stored token resumes: later updates show in leadchanges, deletes in deletedleads and vanish from leads.json", async () => {
    const truth = await mk.truth();
    const start = await since(new Date(START - 3_600_000).toISOString());
    const first = await mk.drain("/rest/v1/activities/leadchanges.json", token, start, {
      fields: CHANGE_FIELDS,
    });
    const delFirst = await mk.drain("/rest/v1/activities/deletedleads.json", token, start);
    expect(delFirst.items).toEqual([]);
    await mk.advance(60_000);
    const changed = truth[10]!.id;
    const gone = truth[11]!.id;
    await mk.admin("PATCH", `records/leads/${changed}`, { fields: { title: "Chief Sandbox Officer" } });
    await mk.admin("DELETE", `records/leads/${gone}`);
    await mk.advance(1_000);

    const later = await mk.drain("/rest/v1/activities/leadchanges.json", token, first.next, {
      fields: CHANGE_FIELDS,
    });
    expect(later.items.map((a) => String(a.leadId))).toEqual([changed]);
    expect(later.items[0]!.fields).toContainEqual(
      expect.objectContaining({ name: "title", newValue: "Chief Sandbox Officer" }),
    );
    const dels = await mk.drain("/rest/v1/activities/deletedleads.json", token, delFirst.next);
    expect(dels.items).toHaveLength(1);
    expect(dels.items[0]).toMatchObject({ activityTypeId: 37, leadId: Number(gone) });
    const lookup = await mk.get(
      "/rest/v1/leads.json",
      { filterType: "id", filterValues: `${changed},${gone}`, fields: "title" },
      token,
    );
    expect(lookup.result).toEqual([{ id: Number(changed), title: "Chief Sandbox Officer" }]);
  });

  it("an equal-timestamp burst larger than a page is read once each, across page boundaries", async () => {
    await mk.advance(120_000);
    const clock = (await mk.admin("GET", "clock")) as { now: number };
    const at = clock.now - 30_000;
    const burst = (await mk.admin("POST", "burst", { object: "leads", size: 45, at })) as { updated: number };
    expect(burst.updated).toBe(45);
    const start = await since(new Date(at).toISOString());
    const { items, pages } = await mk.drain("/rest/v1/activities/leadchanges.json", token, start, {
      fields: CHANGE_FIELDS,
      batchSize: 7,
    });
    // The burst counts updates; a record drawn twice is one lead, so the truth says which leads carry `at`.
    const stamped = (await mk.truth()).filter((t) => Date.parse(t.stamp) === at).map((t) => t.id);
    expect(stamped.length).toBeGreaterThan(30);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(stamped.length / 7));
    const atBurst = items.filter((a) => a.activityDate === new Date(at).toISOString().slice(0, 19) + "+0000");
    expect(atBurst.map((a) => String(a.leadId)).sort()).toEqual([...stamped].sort());
  });

  it("a late-visible change stamped before a stored position is missed from it and found by a look-back", async () => {
    await mk.advance(60_000);
    const clock = (await mk.admin("GET", "clock")) as { now: number };
    const start = await since(new Date(clock.now - 600_000).toISOString());
    const read = await mk.drain("/rest/v1/activities/leadchanges.json", token, start, {
      fields: CHANGE_FIELDS,
    });
    const truth = await mk.truth();
    const late = truth[20]!.id;
    await mk.admin("PATCH", `records/leads/${late}`, {
      fields: { city: "Latetown" },
      at: clock.now - 300_000,
    });
    await mk.advance(1_000);
    const resumed = await mk.drain("/rest/v1/activities/leadchanges.json", token, read.next, {
      fields: CHANGE_FIELDS,
    });
    expect(resumed.items.map((a) => String(a.leadId))).not.toContain(late);
    const lookBack = await mk.drain("/rest/v1/activities/leadchanges.json", token, start, {
      fields: CHANGE_FIELDS,
    });
    expect(lookBack.items.map((a) => String(a.leadId))).toContain(late);
  });
});

describe("marketo under churn", () => {
  it("after minutes of creates, updates and deletes, the feeds and lookups agree with the ground truth", async () => {
    const churned = await startMarketoSandbox({
      seed: 21,
      people: 300,
      clock: { start: START, speed: 0 },
      knobs: { churn: { creates: 2, updates: 3, deletes: 1 } },
    });
    try {
      const c = marketoClient(churned);
      const t = await c.token();
      const pos = (
        await c.get(
          "/rest/v1/activities/pagingtoken.json",
          { sinceDatetime: new Date(START).toISOString() },
          t,
        )
      ).nextPageToken!;
      await c.advance(10 * 60_000);
      const t2 = await c.token();
      const truth = await c.truth();
      const changed = truth.filter((r) => Date.parse(r.stamp) >= START);
      const deleted = changed.filter((r) => r.deleted).map((r) => r.id);
      const live = changed.filter((r) => !r.deleted).map((r) => r.id);
      expect(deleted.length).toBeGreaterThan(3);
      expect(truth.length).toBeGreaterThan(150 + 15);

      const changes = await c.drain("/rest/v1/activities/leadchanges.json", t2, pos, {
        fields: CHANGE_FIELDS,
      });
      expect(new Set(changes.items.map((a) => String(a.leadId)))).toEqual(new Set(live));
      expect(changes.items.some((a) => a.activityTypeId === 12)).toBe(true);
      const dels = await c.drain("/rest/v1/activities/deletedleads.json", t2, pos);
      expect(dels.items.map((a) => String(a.leadId)).sort()).toEqual([...deleted].sort());

      const found = await c.get(
        "/rest/v1/leads.json",
        { filterType: "id", filterValues: [...live, ...deleted].join(","), fields: "id" },
        t2,
      );
      expect((found.result ?? []).map((r) => String(r.id)).sort()).toEqual([...live].sort());
    } finally {
      await churned.close();
    }
  });
});
