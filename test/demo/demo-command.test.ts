import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_OBJECTS, type DemoSource } from "../../src/demo/demo-sources.ts";
import type { DemoSummary } from "../../src/demo/demo-summary.ts";
import { waitFor } from "../helpers/wait-for.ts";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
const dataDir = mkdtempSync(join(tmpdir(), "pf-demo-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** The sandbox's truth of an object: every incident is a task too, from one store (`incident`). */
const truthObject = (s: DemoSource) => (s.object === "task" ? "incident" : s.object);

/**
 * A base port with the four after it free: both runs listen on the same ports, as `npm start` twice does
 * (a sandbox whose URL changed would have its connection updated anyway, hiding stale credentials).
 */
async function freePorts(n: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<Server | undefined>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(undefined));
      s.listen(port, "127.0.0.1", () => resolve(s));
    });
  for (;;) {
    const probe = await listen(0);
    if (!probe) continue;
    const base = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    if (base + n > 65_535) continue;
    const held = await Promise.all(Array.from({ length: n }, (_, i) => listen(base + i)));
    await Promise.all(held.map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))));
    if (held.every((s) => s !== undefined)) return base;
  }
}

/** `profileflow demo` as a real process; `waitFor` resolves once stdout matches. */
function startDemo(port: number, args: string[]) {
  const child = spawn(process.execPath, [bin, "demo", "--data", dataDir, "--port", String(port), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PROFILEFLOW_LOG_LEVEL: "warn" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const waitFor = (pattern: RegExp, ms = 90_000) =>
    new Promise<void>((resolve, reject) => {
      const end = Date.now() + ms;
      const tick = () => {
        if (pattern.test(stdout)) return resolve();
        if (child.exitCode !== null || Date.now() > end)
          return reject(new Error(`no ${pattern} (exit ${child.exitCode}):\n${stdout}\n${stderr}`));
        setTimeout(tick, 200);
      };
      tick();
    });
  const stop = async () => {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGINT");
    return exited;
  };
  return { child, waitFor, stop, stdout: () => stdout };
}

const summary = () => JSON.parse(readFileSync(join(dataDir, "summary.json"), "utf8")) as DemoSummary;

/**
 * The ground truth: per object type, live records stamped at or after the ingestion start; the people
 * behind the person objects' records, and the companies behind the accounts.
 */
async function groundTruth(s: DemoSummary) {
  const since = Date.parse(s.since);
  const objectsByType: Record<string, number> = {};
  const vendorsOfPerson = new Map<string, Set<string>>();
  type Key = { key: string; value: string };
  const pair = (k: Key) => `${k.key}\u0000${k.value}`;
  // Keys the held person records put on their profiles, and the person keys related records carry.
  const personKeys = new Set<string>();
  const anchors = new Map<string, { person: string; vendor: string }>();
  let accounts = 0;
  for (const o of DEMO_OBJECTS) {
    let n = 0;
    for (let offset: number | null = 0; offset !== null; ) {
      const page = (await (
        await fetch(`${s.sandboxes[o.vendor]}/__sandbox/truth/${truthObject(o)}?offset=${offset}&limit=10000`)
      ).json()) as {
        records: { deleted: boolean; stamp: string; personId: string | null; profileKey: Key; keys: Key[] }[];
        nextOffset: number | null;
      };
      for (const r of page.records) {
        if (r.deleted || Date.parse(r.stamp) < since) continue;
        n++;
        if (r.personId === null) accounts++;
        else if (o.kind === "related")
          anchors.set(pair(r.profileKey), { person: r.personId, vendor: o.vendor });
        else {
          for (const k of r.keys) personKeys.add(pair(k));
          // The demo turns on the recommended rule-based matching: one profile per person.
          const vendors = vendorsOfPerson.get(r.personId) ?? new Set<string>();
          vendors.add(o.vendor);
          vendorsOfPerson.set(r.personId, vendors);
        }
      }
      offset = page.nextOffset;
    }
    objectsByType[o.objectTypeName] = n;
  }
  // A related record joins the profile of the person record holding its person key (a Marketo lead's
  // sfdcContactId counts); one whose person record is not held (stamped before the start) makes a profile
  // of its own, one per person key, with no profile fields for a rule to match.
  const peopleInSeveral = [...vendorsOfPerson.values()].filter((v) => v.size > 1).length;
  let orphans = 0;
  for (const [anchor, { person, vendor }] of anchors) {
    if (personKeys.has(anchor)) vendorsOfPerson.get(person)?.add(vendor);
    else orphans++;
  }
  const joined = [...vendorsOfPerson.values()].filter((v) => v.size > 1).length;
  return {
    objectsByType,
    people: vendorsOfPerson.size,
    accounts,
    profiles: vendorsOfPerson.size + accounts + orphans,
    joined,
    peopleInSeveral,
  };
}

describe("profileflow demo", () => {
  it("backfills the nine templated objects of four sources through the SDK to exactly the sandboxes' ground truth; a second run resumes and keeps syncing", async () => {
    const port = await freePorts(5);
    const first = startDemo(port, ["--people", "400", "--churn", "0"]);
    await first.waitFor(/Still syncing/);
    const out = first.stdout();
    // The first URL a reader sees is profileflow's console (with its sign-in), then the API's, then the sandboxes'.
    const endpoint = `http://127.0.0.1:${port}`;
    expect(out.match(/https?:\/\/[^\s)]+/)?.[0]).toBe(`${endpoint}/console/`);
    const lines = out.split("\n");
    const at = (url: string) => lines.findIndex((l) => l.includes(url));
    expect(lines[at(`${endpoint}/console/`)]).toMatch(
      /^ {2}console {5}http:\S+ {3}sign in with Access key ID \S+ and Secret access key \S+$/,
    );
    expect(lines[at(`${endpoint} `)]).toMatch(/^ {2}profileflow http:\S+ {3}the endpoint to use/);
    expect(out).toMatch(
      /bulk workflows \(3 two-month batches since .*\) for salesforce \(Contact, Account, Asset\), servicenow \(sys_user, task, incident\), marketo \(leads\),\nincremental export for zendesk \(users, tickets\)/,
    );
    expect(out).toMatch(/export AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+/);
    // The summary counts each object type, a vendor's on one line; the help lists one person's related objects.
    expect(out).toMatch(/\n {4}salesforce {2}Contact [\d,]+ · Account [\d,]+ · Asset [\d,]+\n/);
    expect(out).toMatch(/\n {4}servicenow {2}sys_user [\d,]+ · task [\d,]+ · incident [\d,]+\n/);
    expect(out).toMatch(
      /aws customer-profiles list-profile-objects --domain-name demo --profile-id \w+ --object-type-name (Salesforce-Asset|Servicenow-incident|Servicenow-task|Zendesk-tickets) /,
    );
    expect(out).toMatch(
      /aws customer-profiles get-domain --domain-name demo --endpoint-url http:\/\/127\.0\.0\.1:\d+/,
    );
    const s1 = summary();
    expect(s1.endpoint).toBe(endpoint);
    for (const url of Object.values(s1.sandboxes)) expect(at(url)).toBeGreaterThan(at(endpoint));
    const truth = await groundTruth(s1);
    // Every object the nine templates cover, to the record.
    expect(s1.objectsByType).toEqual(truth.objectsByType);
    expect(s1.objects).toBe(Object.values(truth.objectsByType).reduce((a, b) => a + b, 0));
    // One profile per person and per person key of related records whose person is not held, plus the
    // accounts' own. An account whose id exactly one profile holds when it arrives (a lone contact's, as a
    // search-only key) joins that profile instead: identity resolution counts search-only keys as owners.
    expect(s1.profiles).toBeGreaterThanOrEqual(truth.profiles - truth.accounts);
    expect(s1.profiles).toBeLessThanOrEqual(truth.profiles);
    expect(s1.joinedAcrossSources).toBe(truth.joined);
    // The summary scores the profiles against the sandboxes' truth itself, and says so.
    expect(s1.identity).toMatchObject({
      people: truth.people,
      peopleInSeveralSources: truth.peopleInSeveral,
      peopleUnified: truth.peopleInSeveral,
      recall: 1,
      precision: 1,
    });
    expect(out).toMatch(
      /people unified \(truth\) +\d+ of the \d+ people held from two or more sources are one profile/,
    );
    expect(truth.joined).toBeGreaterThan(0);
    expect(s1.deadLetters).toBe(0);
    for (const t of s1.sources) {
      if (t.vendor === "zendesk") expect(t.workflowId).toBeUndefined();
      else expect(t).toMatchObject({ workflowStatus: "COMPLETE", stepsCompleted: t.totalSteps });
      expect(t.lastStatus).toBe("Successful");
    }
    expect(await first.stop()).toBe(0);
    expect(first.stdout()).toMatch(/Stopped\. `profileflow demo --data .*` resumes/);

    // Resume: nothing is created or backfilled again; a contact created now arrives with the next sync.
    const second = startDemo(port, ["--people", "400", "--churn", "0"]);
    await second.waitFor(/Still syncing/);
    expect(second.stdout()).toMatch(/\(run 2, resuming\)/);
    const s2 = summary();
    expect(s2.sources.map((t) => t.workflowId)).toEqual(s1.sources.map((t) => t.workflowId));
    expect(s2.objects).toBe(s1.objects);
    const created = await fetch(`${s2.sandboxes["salesforce"]}/__sandbox/records/Contact`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fields: { LastName: "Resumed" } }),
    });
    expect(created.status).toBe(201);
    await second.waitFor(/synced: /, 100_000);
    const ran = (t: { flowName: string; executions: number }) =>
      t.executions > (s1.sources.find((x) => x.flowName === t.flowName)?.executions ?? 0);
    const s3 = await waitFor(
      () => {
        const s = summary();
        return s.sources.every(ran) && s.sources.every((t) => !t.running) && s;
      },
      { timeoutMs: 100_000, intervalMs: 500, what: "every source run again and idle" },
    );
    expect(s3.objectsByType["Salesforce-Contact"]).toBe((s1.objectsByType["Salesforce-Contact"] ?? 0) + 1);
    expect(s3.profiles).toBe(s1.profiles + 1);
    // A resumed run reads only what changed since its watermark (minus the look-back), never the history.
    expect(s3.ingestedThisRun).toBeGreaterThanOrEqual(1);
    expect(s3.ingestedThisRun).toBeLessThan(s1.objects / 10);
    expect(s3.sources.filter((t) => !ran(t))).toEqual([]);
    // Every source's flow still reads: a restart keeps (or refreshes) the connections' credentials.
    expect(s3.sources.map((t) => [t.flowName, t.lastStatus, t.lastMessage?.slice(0, 11)])).toEqual(
      s3.sources.map((t) => [t.flowName, "Successful", "Successful:"]),
    );
    expect(await second.stop()).toBe(0);
  }, 240_000);
});
