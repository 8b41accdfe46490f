import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { configFingerprint } from "../../src/demo/demo-setup.ts";
import { connectorProfileConfig, DEMO_SOURCES } from "../../src/demo/demo-sources.ts";
import { openDemoState } from "../../src/demo/demo-state.ts";

const mode = (p: string) => statSync(p).mode & 0o777;
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

it("the demo's data directory is made 0700, demo.json and demo.key 0600 (an older demo.json left 0644 is narrowed)", () => {
  root = mkdtempSync(join(tmpdir(), "pf-demo-state-"));
  const dir = join(root, "data");
  const first = openDemoState(dir);
  expect(first.previous).toBeUndefined();
  expect(first.warning).toBeUndefined();
  first.save({ since: 1, historyEnd: 2, runs: 1, sent: { p: "x" } });
  expect(mode(dir)).toBe(0o700);
  expect(mode(join(dir, "demo.json"))).toBe(0o600);
  expect(mode(join(dir, "demo.key"))).toBe(0o600);

  // A directory and a demo.json an older profileflow left open: narrowed on the next run.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "demo.json"), 0o644);
  const resumed = openDemoState(dir);
  expect(resumed.previous).toEqual({ since: 1, historyEnd: 2, runs: 1, sent: { p: "x" } });
  expect(resumed.fingerprintKey.equals(first.fingerprintKey)).toBe(true);
  resumed.save({ ...resumed.previous!, runs: 2 });
  expect(mode(dir)).toBe(0o700);
  expect(mode(join(dir, "demo.json"))).toBe(0o600);
  expect(JSON.parse(readFileSync(join(dir, "demo.json"), "utf8"))).toMatchObject({ runs: 2 });
});

it("a connector profile fingerprint is keyed: not the bare SHA-256 of the config (credentials inside), stable under one key", () => {
  root = mkdtempSync(join(tmpdir(), "pf-demo-state-"));
  const zendesk = DEMO_SOURCES.find((s) => s.vendor === "zendesk")!;
  const config = connectorProfileConfig(
    zendesk,
    { instanceUrl: "http://127.0.0.1:1", clientId: "id", clientSecret: "s3cret", accessToken: "t0ken" },
    undefined,
  );
  const key = randomBytes(32);
  const f = configFingerprint(config, key);
  expect(f).toBe(configFingerprint(config, Buffer.from(key)));
  expect(f).not.toBe(configFingerprint(config, randomBytes(32)));
  expect(f).not.toBe(createHash("sha256").update(JSON.stringify(config)).digest("base64url"));
  // demo.key is random per data directory.
  const a = openDemoState(join(root, "a")).fingerprintKey;
  const b = openDemoState(join(root, "b")).fingerprintKey;
  expect(a.equals(b)).toBe(false);
});
