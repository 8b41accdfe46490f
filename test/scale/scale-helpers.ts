import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { sql } from "kysely";
import type { DatabaseHandle } from "../../src/db/database.ts";
import type { FlowEngine } from "../../src/flows/flow-engine.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { scaleFlows } from "./fixtures/scale-fixture.ts";

const workerScript = join(import.meta.dirname, "fixtures/scale-worker.ts");

/** A worker process of scale-worker.ts; `ready` resolves once its engine runs. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** True once `ready` resolved. */
  isReady(): boolean;
  readonly exited: Promise<number | null>;
}

/** Spawns a worker process on `url` (`env` adds SCALE_* knobs). */
export function spawnWorker(url: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript], {
    env: { ...process.env, DATABASE_URL: url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    if (process.env["SCALE_DEBUG"]) process.stderr.write(`[worker ${child.pid}] ${d.toString()}`);
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready")) resolve();
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited ${code ?? signal} before ready: ${err}`)),
    );
  });
  let ok = false;
  ready.then(
    () => {
      ok = true;
    },
    () => {},
  );
  return { child, ready, exited, isReady: () => ok && child.exitCode === null && child.signalCode === null };
}

/** Creates one bounded-window execution per backfill step (enqueued in the execution's transaction). */
export async function startBackfill(engine: FlowEngine): Promise<void> {
  const { flows, windows } = scaleFlows();
  for (const w of windows) {
    const flow = flows.flows.get(w.name);
    if (flow) await engine.runBoundedWindow(flow, w.from, w.to);
  }
}

/** Waits until every backfill step's execution has finished (Successful or not); returns the statuses. */
export async function waitForBackfill(
  handle: DatabaseHandle,
  timeoutMs: number,
): Promise<Record<string, string>> {
  const { windows } = scaleFlows();
  let status: Record<string, string> = {};
  await waitFor(
    async () => {
      const rows = await handle.db.selectFrom("flow_executions").select(["flow_name", "status"]).execute();
      status = Object.fromEntries(rows.map((r) => [r.flow_name, r.status]));
      return windows.every((w) => status[w.name] !== undefined && status[w.name] !== "InProgress");
    },
    { timeoutMs, intervalMs: 100, what: () => `every backfill step finished: ${JSON.stringify(status)}` },
  );
  return status;
}

/** The sink's objects of every flow, and its log as `flow/id/op` lines sorted. */
export async function sinkContent(handle: DatabaseHandle): Promise<{ objects: string[]; log: string[] }> {
  const o = await sql<{ flow_name: string; record_id: string; data: string }>`
    select flow_name, record_id, data from test_sink_objects order by flow_name, record_id`.execute(
    handle.db,
  );
  const l = await sql<{ flow_name: string; record_id: string; op: string }>`
    select flow_name, record_id, op from test_sink_log`.execute(handle.db);
  return {
    objects: o.rows.map((r) => `${r.flow_name}/${r.record_id}/${r.data}`),
    log: l.rows.map((r) => `${r.flow_name}/${r.record_id}/${r.op}`).sort(),
  };
}

/** A small seeded PRNG (mulberry32) so a failing kill schedule can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
