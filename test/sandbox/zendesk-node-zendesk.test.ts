import zendesk from "node-zendesk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZendeskSandbox, type ZendeskSandbox } from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { sandboxAdminCall } from "../helpers/sandbox-admin-call.ts";

// Fidelity with a client we did not write: node-zendesk 6.0.1, unchanged, pointed at the sandbox.
const START = Date.UTC(2025, 0, 15, 12, 0, 0);
let sb: ZendeskSandbox;
let client: ReturnType<typeof zendesk.createClient>;
type Truth = { id: string; deleted: boolean; personId: string };

beforeAll(async () => {
  // 3,000 people → 1,200 users and 2,400 tickets: more than one 1,000-row export page of each.
  sb = await startZendeskSandbox({ seed: 21, people: 3000, clock: { start: START, speed: 0 } });
  client = zendesk.createClient({
    username: sb.credentials.email,
    token: sb.credentials.apiToken,
    endpointUri: `${sb.url}/api/v2`,
  });
  // Deletes and updates made while running, then let them age past the export's one-minute hold-back.
  for (const [object, id] of [
    ["users", "361000000003"],
    ["users", "361000000500"],
    ["tickets", "7"],
    ["tickets", "1500"],
  ] as const) {
    await admin("DELETE", `records/${object}/${id}`);
  }
  await admin("PATCH", "records/users/361000000010", { fields: { notes: "changed" } });
  await admin("POST", "clock", { advanceMs: 120_000 });
});
afterAll(() => sb.close());

const admin = (method: string, path: string, body?: unknown) => sandboxAdminCall(sb.url, method, path, body);
async function truth(object: string): Promise<Truth[]> {
  const out: Truth[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = (await admin("GET", `truth/${object}?offset=${offset}&limit=10000`)) as {
      records: Truth[];
      nextOffset: number | null;
    };
    out.push(...page.records);
    offset = page.nextOffset;
  }
  return out;
}

/**
 * node-zendesk's `incremental` returns one page's records (it follows `next_page` only when a response object
 * it never receives has count ≥ 1000), so a caller loops on the largest timestamp seen, as its users do, and
 * dedupes by id: the time-based export repeats the boundary second's records.
 */
async function exportAll(
  fetchPage: (start: number) => Promise<Array<Record<string, unknown>>>,
  stampOf: (r: Record<string, unknown>) => number,
) {
  const byId = new Map<number, Record<string, unknown>>();
  let start = 0;
  let fetched = 0;
  for (let calls = 0; calls < 10; calls++) {
    const batch = await fetchPage(start);
    fetched += batch.length;
    for (const r of batch) byId.set(Number(r.id), r);
    if (batch.length < 1000) break;
    start = Math.max(...batch.map(stampOf));
  }
  return { byId, fetched };
}

describe("node-zendesk against the Zendesk sandbox", () => {
  it("users.incremental returns exactly the ground-truth users, deleted ones inactive", async () => {
    const expected = await truth("users");
    expect(expected.length).toBe(1200);
    const { byId, fetched } = await exportAll(
      (t) => client.users.incremental(t) as Promise<Array<Record<string, unknown>>>,
      (u) => Date.parse(String(u.updated_at)) / 1000,
    );
    expect(fetched).toBeGreaterThan(1200); // the boundary second came back twice
    expect([...byId.keys()].sort()).toEqual(expected.map((t) => Number(t.id)).sort());
    for (const t of expected) expect(byId.get(Number(t.id))?.active).toBe(!t.deleted);
    expect(byId.get(361000000010)?.notes).toBe("changed");
  });

  it("tickets.incremental returns exactly the ground-truth tickets, deleted ones with status deleted", async () => {
    const expected = await truth("tickets");
    const { byId } = await exportAll(
      (t) => client.tickets.incremental(String(t)) as Promise<Array<Record<string, unknown>>>,
      (x) => Number(x.generated_timestamp),
    );
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(
      expected.map((t) => Number(t.id)).sort((a, b) => a - b),
    );
    for (const t of expected) expect(byId.get(Number(t.id))?.status === "deleted").toBe(t.deleted);
    expect(byId.get(7)?.status).toBe("deleted");
  });

  it("users.list pages with cursors through every live user", async () => {
    const expected = (await truth("users")).filter((t) => !t.deleted).map((t) => Number(t.id));
    const users = (await client.users.list()) as Array<Record<string, unknown>>;
    expect(users.map((u) => Number(u.id))).toEqual(expected.sort((a, b) => a - b));
  });

  it("users.me answers with the admin behind the API token", async () => {
    const me = (await client.users.me()) as { result: Record<string, unknown> };
    expect(me.result).toMatchObject({ email: sb.credentials.email, role: "admin" });
  });
});
