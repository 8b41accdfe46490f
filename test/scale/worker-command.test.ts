import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresDatabase, postgresAvailable } from "../helpers/test-database.ts";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");

/** Runs `profileflow worker` with `env`; `onOut` may signal the child; resolves with its exit and output. */
function worker(env: Record<string, string>, onOut?: (out: string, kill: () => void) => void) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_") && k !== "DATABASE_URL"),
  );
  const child = spawn(process.execPath, [bin, "worker", "--concurrency", "2"], {
    env: { ...clean, PROFILEFLOW_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    onOut?.(out, () => child.kill("SIGTERM"));
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, out, err })),
  );
}

let db: { url: string; drop: () => Promise<void> } | undefined;
beforeAll(async () => {
  if (postgresAvailable) db = await createPostgresDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it("refuses to start without PostgreSQL, saying what to set", async () => {
  const r = await worker({ PROFILEFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), "pf-worker-")) });
  expect(r.code).toBe(2);
  expect(r.err).toContain("DATABASE_URL");
});

it.skipIf(!postgresAvailable)(
  "runs against PostgreSQL with the shared master key and drains on SIGTERM",
  async () => {
    const env = {
      DATABASE_URL: db?.url ?? "",
      PROFILEFLOW_MASTER_KEY: randomBytes(32).toString("base64"),
      PROFILEFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), "pf-worker-")),
      PROFILEFLOW_ACCESS_KEY_ID: "AKIDWORKERTEST0001",
      PROFILEFLOW_SECRET_ACCESS_KEY: "worker-secret",
    };
    let signalled = false;
    const r = await worker(env, (out, kill) => {
      if (!signalled && out.includes("running 2 at a time")) {
        signalled = true;
        kill();
      }
    });
    expect(r.out).toContain("running 2 at a time");
    expect(r.out).toContain("drained");
    expect(r.code).toBe(0);
  },
  120_000,
);
