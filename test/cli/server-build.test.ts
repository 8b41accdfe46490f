import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomerProfilesClient, ListDomainsCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, describe, expect, it } from "vitest";
import { serverStaleReason } from "../../scripts/build-server.mjs";

const root = join(import.meta.dirname, "../..");
const children: ChildProcess[] = [];
const made: string[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("the server compiled at install (scripts/build-server.mjs)", () => {
  it("is stale when not built, when a source or the lock file is newer than the build, and current otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-build-"));
    made.push(dir);
    const out = join(dir, "dist");
    const src = join(dir, "src");
    const lock = join(dir, "package-lock.json");
    mkdirSync(join(src, "api"), { recursive: true });
    writeFileSync(join(src, "api", "a.ts"), "");
    writeFileSync(lock, "{}");
    const sources = [src, lock];
    expect(serverStaleReason(out, sources)).toMatch(/is not built/);
    mkdirSync(out);
    writeFileSync(join(out, ".built"), "");
    const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
    for (const p of [src, join(src, "api"), join(src, "api", "a.ts"), lock]) at(p, 1_000);
    at(join(out, ".built"), 2_000);
    expect(serverStaleReason(out, sources)).toBeUndefined();
    at(join(src, "api", "a.ts"), 3_000);
    expect(serverStaleReason(out, sources)).toMatch(/src changed since the last build/);
    at(join(src, "api", "a.ts"), 1_000);
    at(lock, 3_000);
    expect(serverStaleReason(out, sources)).toMatch(/package-lock\.json changed since the last build/);
  });

  it("compiles src into plain JavaScript that serves the API: migrations found, requests signed and answered", async () => {
    const outName = `.dist-test-${process.pid}`;
    const out = join(root, outName);
    made.push(out);
    const build = spawnSync(process.execPath, [join(root, "scripts/build-server.mjs"), "--out", outName], {
      encoding: "utf8",
    });
    expect(build.status, build.stderr).toBe(0);
    expect(serverStaleReason(out)).toBeUndefined();
    const dataDir = mkdtempSync(join(tmpdir(), "pf-compiled-"));
    made.push(dataDir);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_") && k !== "DATABASE_URL"),
    );
    const credentials = { accessKeyId: "AKIDCOMPILEDTEST", secretAccessKey: "compiled-test-secret" };
    // No tsx anywhere: plain node runs the compiled CLI.
    const run = `const { main } = await import(${JSON.stringify(join(out, "cli/main.js"))}); await main(process.argv);`;
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", run, "profileflow", "serve", "--port", "0", "--data", dataDir],
      {
        env: {
          ...clean,
          PROFILEFLOW_LOG_LEVEL: "info",
          PROFILEFLOW_ACCESS_KEY_ID: credentials.accessKeyId,
          PROFILEFLOW_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    let err = "";
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (b: Buffer) => {
        text += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`compiled serve exited ${code}:\n${text}\n${err}`)));
    });
    const client = new CustomerProfilesClient({ endpoint, region: "us-east-1", credentials });
    try {
      expect((await client.send(new ListDomainsCommand({}))).Items).toEqual([]);
    } finally {
      client.destroy();
    }
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    // Info lines reach stderr ("stopping"), and the note of a server run from its sources is not among them.
    expect(err).toContain('"msg":"stopping"');
    expect(err).not.toContain("running the TypeScript sources");
  }, 60_000);
});
