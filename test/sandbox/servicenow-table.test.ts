import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { parseLinkHeader } from "../../src/sandbox/servicenow/table-paging.ts";
import { sandboxAdminCall } from "../helpers/sandbox-admin-call.ts";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
let sb: ServiceNowSandbox;
let auth: string;

beforeAll(async () => {
  sb = await startServiceNowSandbox({ seed: 11, people: 400, clock: { start: START, speed: 0 } });
  auth = `Basic ${Buffer.from(`${sb.credentials.username}:${sb.credentials.password}`).toString("base64")}`;
});
afterAll(() => sb.close());

type Row = Record<string, unknown>;
async function get(pathOrUrl: string, params: Record<string, string> = {}) {
  const u = new URL(pathOrUrl, sb.url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers: { authorization: auth, accept: "application/json" } });
  const body = (await res.json()) as { result: Row[] };
  return { status: res.status, headers: res.headers, body };
}
const admin = (method: string, path: string, body?: unknown) => sandboxAdminCall(sb.url, method, path, body);
async function truthIds(object: string): Promise<string[]> {
  const t = (await admin("GET", `truth/${object}?limit=10000`)) as {
    records: Array<{ id: string; deleted: boolean }>;
  };
  return t.records.filter((r) => !r.deleted).map((r) => r.id);
}
const glide = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

/** Follows Link rel="next" from `first` until there is none. */
async function readAllByLinks(
  table: string,
  params: Record<string, string>,
): Promise<{ rows: Row[]; pages: number }> {
  let next: string | undefined = new URL(`/api/now/table/${table}?${new URLSearchParams(params)}`, sb.url)
    .href;
  const rows: Row[] = [];
  let pages = 0;
  while (next) {
    const page = await get(next);
    expect(page.status).toBe(200);
    rows.push(...page.body.result);
    pages++;
    next = parseLinkHeader(page.headers.get("link") ?? "").next;
  }
  return { rows, pages };
}

/** Keyset read of [ws, we) on (sys_updated_on, sys_id), `limit` rows per request, until an empty page. */
async function readKeyset(table: string, ws: string, we: string, limit: number): Promise<Row[]> {
  const window = `sys_updated_on<${we}`;
  const order = "ORDERBYsys_updated_on^ORDERBYsys_id";
  let query = `sys_updated_on>=${ws}^${window}^${order}`;
  const rows: Row[] = [];
  for (;;) {
    const page = await get(`/api/now/table/${table}`, {
      sysparm_query: query,
      sysparm_limit: String(limit),
      sysparm_fields: "sys_id,sys_updated_on",
    });
    const got = page.body.result;
    if (got.length === 0) return rows;
    rows.push(...got);
    const last = got.at(-1)!;
    const t = String(last.sys_updated_on);
    query = `sys_updated_on>${t}^${window}^NQsys_updated_on=${t}^sys_id>${String(last.sys_id)}^${window}^${order}`;
  }
}

describe("ServiceNow Table API paging", () => {
  it("walks Link rel=next pages with X-Total-Count and returns every user exactly once", async () => {
    const expected = await truthIds("sys_user");
    const first = await get("/api/now/table/sys_user", { sysparm_limit: "25" });
    expect(first.headers.get("x-total-count")).toBe(String(expected.length));
    const links = parseLinkHeader(first.headers.get("link")!);
    expect(links.first).toContain("sysparm_offset=0");
    expect(links.prev).toBeUndefined();
    expect(new URL(links.last!).searchParams.get("sysparm_offset")).toBe(
      String(Math.floor((expected.length - 1) / 25) * 25),
    );
    const { rows, pages } = await readAllByLinks("sys_user", { sysparm_limit: "25" });
    expect(pages).toBe(Math.ceil(expected.length / 25));
    expect(rows.map((r) => r.sys_id).sort()).toEqual([...expected].sort());
  });

  it("keyset-reads a window on (sys_updated_on, sys_id) in order", async () => {
    const all = (await get("/api/now/table/incident", { sysparm_fields: "sys_id,sys_updated_on" })).body
      .result;
    const stamps = all.map((r) => String(r.sys_updated_on)).sort();
    const ws = stamps[Math.floor(stamps.length / 4)]!;
    const we = stamps[Math.floor((stamps.length * 3) / 4)]!;
    const expected = all
      .filter((r) => String(r.sys_updated_on) >= ws && String(r.sys_updated_on) < we)
      .map((r) => String(r.sys_id))
      .sort();
    const rows = await readKeyset("incident", ws, we, 7);
    expect(rows.map((r) => r.sys_id).sort()).toEqual(expected);
    const keys = rows.map((r) => `${String(r.sys_updated_on)}|${String(r.sys_id)}`);
    expect(keys).toEqual([...keys].sort());
  });

  it("reads an equal-timestamp burst larger than a page with no loss and no repeats", async () => {
    const at = START - 3_600_000;
    const burst = (await admin("POST", "burst", { object: "sys_user", size: 40, at })) as { updated: number };
    expect(burst.updated).toBe(40);
    const t = glide(at);
    // A burst may touch one record twice, so count the distinct rows the second holds.
    const inSecond = await get("/api/now/table/sys_user", { sysparm_query: `sys_updated_on=${t}` });
    const ids = inSecond.body.result.map((r) => String(r.sys_id)).sort();
    expect(ids.length).toBeGreaterThan(30);
    const keyset = await readKeyset("sys_user", t, glide(at + 1000), 15);
    expect(keyset.map((r) => String(r.sys_id)).sort()).toEqual(ids);
    const { rows } = await readAllByLinks("sys_user", {
      sysparm_query: `sys_updated_on>=${t}^sys_updated_on<${glide(at + 1000)}^ORDERBYsys_updated_on^ORDERBYsys_id`,
      sysparm_limit: "15",
    });
    expect(rows.map((r) => r.sys_id).sort()).toEqual(keyset.map((r) => r.sys_id).sort());
  });
});

describe("ServiceNow Table API values", () => {
  it("returns strings, UTC glide timestamps and {link, value} references", async () => {
    const { body } = await get("/api/now/table/incident", { sysparm_limit: "5" });
    for (const row of body.result) {
      expect(row.sys_updated_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(row.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const caller = row.caller_id as { link: string; value: string };
      expect(caller.link).toBe(`${sb.url}/api/now/table/sys_user/${caller.value}`);
      for (const [k, v] of Object.entries(row)) {
        if (typeof v !== "string") expect(["caller_id", "opened_by", "sys_domain"]).toContain(k);
      }
    }
  });

  it("honours sysparm_fields and sysparm_exclude_reference_link", async () => {
    const { body } = await get("/api/now/table/incident", {
      sysparm_limit: "3",
      sysparm_fields: "sys_id,caller_id,no_such_field",
      sysparm_exclude_reference_link: "true",
    });
    for (const row of body.result) {
      expect(Object.keys(row).sort()).toEqual(["caller_id", "sys_id"]);
      expect(row.caller_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("silently ignores query terms on unknown fields", async () => {
    const all = await get("/api/now/table/sys_user", { sysparm_limit: "1" });
    const typo = await get("/api/now/table/sys_user", {
      sysparm_query: "sys_updated_onn>2999-01-01 00:00:00",
      sysparm_limit: "1",
    });
    expect(typo.headers.get("x-total-count")).toBe(all.headers.get("x-total-count"));
  });

  it("shows every incident in task, as sys_class_name=incident with task fields only", async () => {
    const incidents = await get("/api/now/table/incident", { sysparm_limit: "1" });
    const tasks = await get("/api/now/table/task", { sysparm_limit: "500" });
    expect(tasks.headers.get("x-total-count")).toBe(incidents.headers.get("x-total-count"));
    expect(tasks.body.result.every((r) => r.sys_class_name === "incident" && !("caller_id" in r))).toBe(true);
    expect(tasks.body.result[0]).toHaveProperty("opened_by");
  });

  it("answers v1 empty results with 404 and v2 with an empty list", async () => {
    const q = { sysparm_query: "sys_updated_on>2999-01-01 00:00:00" };
    const v2 = await get("/api/now/v2/table/sys_user", q);
    expect(v2).toMatchObject({ status: 200, body: { result: [] } });
    const v1 = await get("/api/now/v1/table/sys_user", q);
    expect(v1.status).toBe(404);
    expect(v1.body).toEqual({
      error: {
        message: "No Record found",
        detail: "Record doesn't exist or ACL restricts the record retrieval",
      },
      status: "failure",
    });
  });

  it("finds a record committed late with an old timestamp only through a look-back", async () => {
    const watermark = START - 5 * 60_000;
    const created = (await admin("POST", "records/sys_user", {
      fields: { first_name: "Late", last_name: "Comer" },
      at: START - 10 * 60_000,
      visibleAt: START,
    })) as { id: string };
    const after = await get("/api/now/table/sys_user", {
      sysparm_query: `sys_updated_on>=${glide(watermark)}`,
    });
    expect(after.body.result.map((r) => r.sys_id)).not.toContain(created.id);
    const overlap = await get("/api/now/table/sys_user", {
      sysparm_query: `sys_updated_on>=${glide(watermark - 15 * 60_000)}`,
    });
    expect(overlap.body.result.map((r) => r.sys_id)).toContain(created.id);
  });
});

describe("ServiceNow deletions", () => {
  it("records admin and API deletes in sys_audit_delete and hides the rows", async () => {
    const [a, b] = (await get("/api/now/table/sys_user", { sysparm_limit: "2" })).body.result.map((r) =>
      String(r.sys_id),
    );
    await admin("DELETE", `records/sys_user/${a}`);
    const del = await fetch(`${sb.url}/api/now/table/sys_user/${b}`, {
      method: "DELETE",
      headers: { authorization: auth },
    });
    expect(del.status).toBe(204);
    for (const id of [a, b]) {
      expect((await get(`/api/now/table/sys_user/${id}`)).status).toBe(404);
    }
    const audit = await get("/api/now/table/sys_audit_delete", {
      sysparm_query: `tablename=sys_user^sys_created_on>=${glide(START)}^ORDERBYsys_created_on`,
    });
    expect(audit.body.result.map((r) => r.documentkey).sort()).toEqual([a, b].sort());
    expect(audit.body.result[0]).toMatchObject({ tablename: "sys_user", sys_created_on: glide(START) });
    expect(await truthIds("sys_user")).not.toContain(a);
  });
});

describe("ServiceNow offset drift", () => {
  it("loses an unchanged row when rows leave a bounded window during an offset read; keyset does not", async () => {
    const we = glide(START - 2 * 3_600_000);
    const query = `sys_updated_on<${we}^ORDERBYsys_updated_on^ORDERBYsys_id`;
    const before = (
      await get("/api/now/table/sys_user", { sysparm_query: query, sysparm_fields: "sys_id" })
    ).body.result.map((r) => String(r.sys_id));
    await admin("POST", "knobs", { midReadChanges: 3 });
    try {
      const offsetRead = await readAllByLinks("sys_user", {
        sysparm_query: query,
        sysparm_limit: "20",
        sysparm_fields: "sys_id",
      });
      const stillIn = (
        await get("/api/now/table/sys_user", { sysparm_query: query, sysparm_fields: "sys_id" })
      ).body.result.map((r) => String(r.sys_id));
      const seen = new Set(offsetRead.rows.map((r) => String(r.sys_id)));
      expect(stillIn.length).toBeLessThan(before.length);
      expect(stillIn.some((id) => !seen.has(id))).toBe(true);
      const keyset = new Set(
        (await readKeyset("sys_user", "1970-01-01 00:00:00", we, 20)).map((r) => String(r.sys_id)),
      );
      const unchangedNow = (
        await get("/api/now/table/sys_user", { sysparm_query: query, sysparm_fields: "sys_id" })
      ).body.result.map((r) => String(r.sys_id));
      expect(unchangedNow.every((id) => keyset.has(id))).toBe(true);
    } finally {
      await admin("POST", "knobs", { midReadChanges: 0 });
    }
  });
});
