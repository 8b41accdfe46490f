import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { kill, newDeployment, type ProfileflowProcess, startServe } from "./fixtures/profileflow-process.ts";
import {
  type BackfillSandboxes,
  createBackfill,
  type StoredObject,
  scrape,
  startBackfillSandboxes,
  storeShape,
  truthObjects,
  waitComplete,
  workflowStatuses,
} from "./fixtures/real-store-backfill.ts";
import { prng } from "./scale-helpers.ts";

// Issue 8's acceptance on SQLite: one `profileflow serve` runs a Salesforce + ServiceNow backfill set up
// through the AWS SDK; the test SIGKILLs it mid-execution and restarts it on the same data directory at
// least three times; the end state must equal an uninterrupted `profileflow serve`'s.
const DOMAINS = ["north", "south"];
const STEPS = Number(process.env["KILL_STEPS"] ?? 10);
const KILLS = 3;
const dirs: string[] = [];
const procs: ProfileflowProcess[] = [];
let sb: BackfillSandboxes;

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "pf-kill-sqlite-"));
  dirs.push(d);
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the data directory's SQLite file beside the running server (WAL lets a reader in). */
function read<T>(dataDir: string, query: string): T[] {
  const db = new SQLite(join(dataDir, "profileflow.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all() as T[];
  } finally {
    db.close();
  }
}

const storeOf = (dataDir: string) =>
  read<StoredObject>(
    dataDir,
    "select domain_name, object_type_name, object_key, profile_id from profile_objects",
  );

/** Lease owners of executions whose lease is live now. */
const leaseHolders = (dataDir: string) =>
  read<{ owner: string }>(
    dataDir,
    `select lease_owner as owner from flow_executions
     where active_flow is not null and lease_owner is not null and lease_expires_at > ${Date.now()}`,
  ).map((r) => r.owner);

beforeAll(async () => {
  sb = await startBackfillSandboxes({ people: Number(process.env["KILL_PEOPLE"] ?? 1500), latencyMs: 500 });
});

afterAll(async () => {
  await Promise.all(procs.map(kill));
  await sb?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it("profileflow serve on SQLite, SIGKILLed mid-execution ≥3 times and restarted: the store equals an uninterrupted serve's", async () => {
  const t0 = Date.now();
  const ref = newDeployment();
  const refDir = tempDir();
  const single = startServe(ref, refDir);
  procs.push(single);
  const dep = newDeployment();
  const dir = tempDir();
  let serve = startServe(dep, dir);
  procs.push(serve);
  let endpoint = await serve.ready;
  const singleUrl = await single.ready;
  const refIds = await createBackfill(singleUrl, ref, sb, { steps: STEPS, domains: DOMAINS });
  const ids = await createBackfill(endpoint, dep, sb, { steps: STEPS, domains: DOMAINS });
  const refDone = waitComplete(() => singleUrl, ref, refIds, 300_000).then(() => Date.now() - t0);
  refDone.catch(() => {});

  const seed = Number(process.env["KILL_SEED"] ?? Date.now() % 100_000);
  const random = prng(seed);
  const dead = new Set<string>();
  let kills = 0;
  while (kills < KILLS) {
    // Kill only while this process runs an execution (a restarted one first waits out its predecessor's leases).
    const mine = leaseHolders(dir).filter((o) => !dead.has(o));
    if (mine.length === 0) {
      if ((await workflowStatuses(endpoint, dep, ids)).every((s) => s === "COMPLETE")) break;
      await sleep(200);
      continue;
    }
    await sleep(random() * 3000);
    for (const o of leaseHolders(dir)) dead.add(o);
    await kill(serve);
    kills++;
    serve = startServe(dep, dir);
    procs.push(serve);
    endpoint = await serve.ready;
  }
  const killPhase = Date.now() - t0;
  await waitComplete(() => endpoint, dep, ids, 300_000);
  const crashedMs = Date.now() - t0;
  const refMs = await refDone;
  console.info(
    `kill-real-store sqlite: seed ${seed}, ${kills} kills over ${killPhase} ms; ` +
      `crashed run done at ${crashedMs} ms, single serve at ${refMs} ms`,
  );
  expect(kills).toBeGreaterThanOrEqual(KILLS);

  const expected = storeShape(storeOf(refDir));
  const got = storeShape(storeOf(dir));
  expect(expected.objects).toEqual(await truthObjects(sb, DOMAINS));
  expect(expected.groups.some((g) => g.includes("sf-contact/") && g.includes("sn-user/"))).toBe(true);
  expect(got.objects).toEqual(expected.objects);
  expect(got.groups).toEqual(expected.groups);

  // Each window's records were counted once however often its execution was resumed.
  const window = 'profileflow_records_ingested_total{trigger="Window"}';
  const after = await scrape(endpoint);
  expect(after[window]).toBeGreaterThanOrEqual(expected.objects.length);
  expect(after[window]).toBe((await scrape(singleUrl))[window]);
}, 420_000);
