import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DemoSummary } from "../../src/demo/demo-summary.ts";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
const dataDir = mkdtempSync(join(tmpdir(), "pf-demo-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

const OBJECTS: Record<string, string> = {
  salesforce: "Contact",
  servicenow: "sys_user",
  marketo: "leads",
  zendesk: "users",
};

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

/** The ground truth: per source, live records stamped at or after the ingestion start, and the people behind them. */
async function groundTruth(s: DemoSummary) {
  const since = Date.parse(s.since);
  const objectsBySource: Record<string, number> = {};
  const vendorsOfPerson = new Map<string, Set<string>>();
  for (const [vendor, object] of Object.entries(OBJECTS)) {
    let n = 0;
    for (let offset: number | null = 0; offset !== null; ) {
      const page = (await (
        await fetch(`${s.sandboxes[vendor]}/__sandbox/truth/${object}?offset=${offset}&limit=10000`)
      ).json()) as {
        records: { deleted: boolean; stamp: string; personId: string }[];
        nextOffset: number | null;
      };
      for (const r of page.records) {
        if (r.deleted || Date.parse(r.stamp) < since) continue;
        n++;
        // The demo turns on the recommended rule-based matching: one profile per person.
        const vendors = vendorsOfPerson.get(r.personId) ?? new Set<string>();
        vendors.add(vendor);
        vendorsOfPerson.set(r.personId, vendors);
      }
      offset = page.nextOffset;
    }
    objectsBySource[vendor] = n;
  }
  const joined = [...vendorsOfPerson.values()].filter((v) => v.size > 1).length;
  return { objectsBySource, profiles: vendorsOfPerson.size, joined };
}

describe("profileflow demo", () => {
  it("backfills four sources through the SDK to exactly the sandboxes' ground truth; a second run resumes and keeps syncing", async () => {
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
      /bulk workflows \(3 two-month batches since .*\) for salesforce, servicenow, marketo, incremental export for zendesk/,
    );
    expect(out).toMatch(/export AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+/);
    expect(out).toMatch(
      /aws customer-profiles get-domain --domain-name demo --endpoint-url http:\/\/127\.0\.0\.1:\d+/,
    );
    const s1 = summary();
    expect(s1.endpoint).toBe(endpoint);
    for (const url of Object.values(s1.sandboxes)) expect(at(url)).toBeGreaterThan(at(endpoint));
    const truth = await groundTruth(s1);
    expect(s1.objectsBySource).toEqual(truth.objectsBySource);
    expect(s1.objects).toBe(Object.values(truth.objectsBySource).reduce((a, b) => a + b, 0));
    expect(s1.profiles).toBe(truth.profiles);
    expect(s1.joinedAcrossSources).toBe(truth.joined);
    // The summary scores the profiles against the sandboxes' truth itself, and says so.
    expect(s1.identity).toMatchObject({
      people: truth.profiles,
      peopleInSeveralSources: truth.joined,
      peopleUnified: truth.joined,
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
    const ran = (t: { vendor: string; executions: number }) =>
      t.executions > (s1.sources.find((x) => x.vendor === t.vendor)?.executions ?? 0);
    const end = Date.now() + 100_000;
    let s3 = summary();
    while (Date.now() < end && !(s3.sources.every(ran) && s3.sources.every((t) => !t.running))) {
      await new Promise((r) => setTimeout(r, 500));
      s3 = summary();
    }
    expect(s3.objectsBySource["salesforce"]).toBe((s1.objectsBySource["salesforce"] ?? 0) + 1);
    expect(s3.profiles).toBe(s1.profiles + 1);
    // A resumed run reads only what changed since its watermark (minus the look-back), never the history.
    expect(s3.ingestedThisRun).toBeGreaterThanOrEqual(1);
    expect(s3.ingestedThisRun).toBeLessThan(s1.objects / 10);
    expect(s3.sources.filter((t) => !ran(t))).toEqual([]);
    // Every source's flow still reads: a restart keeps (or refreshes) the connections' credentials.
    expect(s3.sources.map((t) => [t.vendor, t.lastStatus, t.lastMessage?.slice(0, 11)])).toEqual(
      s3.sources.map((t) => [t.vendor, "Successful", "Successful:"]),
    );
    expect(await second.stop()).toBe(0);
  }, 240_000);
});
