import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomerProfilesClient, ListTagsForResourceCommand } from "@aws-sdk/client-customer-profiles";
import { afterEach, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
});

/** Starts `profileflow serve` as a real process and resolves with everything it printed once ready. */
function serve(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_")),
  );
  child = spawn(process.execPath, [bin, "serve", "--port", "0", "--data", dataDir], {
    env: { ...clean, PROFILEFLOW_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      // Ready once the whole connection help is out: it ends with the SDK client's closing `} })`.
      if (/AWS SDK for JavaScript v3:[\s\S]*\} \}\)\n/.test(out)) resolve(out);
    });
    child!.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child!.on("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe("profileflow serve", () => {
  it("answers /health, prints a generated root key once (stored 0600), and stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pf-serve-"));
    const out = await serve(dataDir);
    const endpoint = out.match(/listening on (http:\/\/[\d.:]+)/)?.[1] ?? "";
    expect(endpoint).toMatch(/^http/);
    expect(await (await fetch(`${endpoint}/health`)).json()).toEqual({ status: "ok" });
    const keyId = out.match(/AWS_ACCESS_KEY_ID=(\S+)/)?.[1];
    const secret = out.match(/AWS_SECRET_ACCESS_KEY=(\S+)/)?.[1];
    const credentials = readFileSync(join(dataDir, "credentials"), "utf8");
    expect(credentials).toContain(`aws_access_key_id = ${keyId}`);
    expect(credentials).toContain(`aws_secret_access_key = ${secret}`);
    expect(statSync(join(dataDir, "credentials")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    // The printed key is accepted by the real SDK (an unknown resource, but a verified signature).
    const client = new CustomerProfilesClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: keyId!, secretAccessKey: secret! },
      maxAttempts: 1,
    });
    const e = await client
      .send(
        new ListTagsForResourceCommand({ resourceArn: "arn:aws:profile:us-east-1:000000000000:domains/x" }),
      )
      .catch((x: Error) => x);
    expect((e as Error).name).toBe("ResourceNotFoundException");
    const exited = new Promise<number | null>((r) => child!.once("exit", (code) => r(code)));
    child!.kill("SIGTERM");
    expect(await exited).toBe(0);

    // Second start on the same data directory: the same key, not printed again.
    const again = await serve(dataDir);
    expect(again).toContain(keyId!);
    expect(again).not.toContain(secret!);
  });

  it("takes the root key from PROFILEFLOW_ACCESS_KEY_ID / PROFILEFLOW_SECRET_ACCESS_KEY", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pf-serve-"));
    const out = await serve(dataDir, {
      PROFILEFLOW_ACCESS_KEY_ID: "AKIDFROMENVIRONMENT1",
      PROFILEFLOW_SECRET_ACCESS_KEY: "env-secret",
    });
    expect(out).toContain("AKIDFROMENVIRONMENT1");
    expect(out).not.toContain("env-secret");
    expect(existsSync(join(dataDir, "credentials"))).toBe(false);
    const endpoint = out.match(/listening on (http:\/\/[\d.:]+)/)?.[1] ?? "";
    const client = new CustomerProfilesClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDFROMENVIRONMENT1", secretAccessKey: "env-secret" },
      maxAttempts: 1,
    });
    const e = await client
      .send(
        new ListTagsForResourceCommand({ resourceArn: "arn:aws:profile:us-east-1:000000000000:domains/x" }),
      )
      .catch((x: Error) => x);
    expect((e as Error).name).toBe("ResourceNotFoundException");
  });
});
