import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { defaults, loadConfig } from "../../src/config/config.ts";
import { isProfileflowError } from "../../src/core/errors.ts";

function failure(fn: () => unknown): { code: string; message: string; member: unknown } {
  try {
    fn();
  } catch (e) {
    if (!isProfileflowError(e)) throw e;
    return { code: e.code, message: e.message, member: e.details?.["member"] };
  }
  throw new Error("expected a failure");
}

describe("config", () => {
  it("has documented defaults and is frozen", () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({
      port: defaults.port,
      region: "us-east-1",
      accountId: "000000000000",
      logLevel: "info",
      dataDir: resolve(".profileflow"),
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("layers file < env < flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-config-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ port: 1111, region: "eu-west-1", logLevel: "debug" }));
    const c = loadConfig({
      file,
      env: { PROFILEFLOW_PORT: "2222", DATABASE_URL: "postgres://u@h/db" },
      flags: { port: "3333" },
    });
    expect(c).toMatchObject({
      port: 3333,
      region: "eu-west-1",
      logLevel: "debug",
      databaseUrl: "postgres://u@h/db",
    });
  });

  it("fails fast on unknown keys with a suggestion", () => {
    expect(failure(() => loadConfig({ env: { PROFILEFLOW_PROT: "1" } }))).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("did you mean PROFILEFLOW_PORT?"),
    });
    const dir = mkdtempSync(join(tmpdir(), "pf-config-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ dataDri: "/x" }));
    expect(failure(() => loadConfig({ file, env: {} })).message).toContain('did you mean "dataDir"?');
  });

  it("leaves the test suite's PROFILEFLOW_TEST_* variables alone", () => {
    expect(
      loadConfig({ env: { PROFILEFLOW_TEST_REQUIRE_PG: "1", PROFILEFLOW_TEST_DATABASE_URL: "x" } }).port,
    ).toBe(4590);
  });

  it("names the invalid member", () => {
    expect(failure(() => loadConfig({ env: { PROFILEFLOW_ACCOUNT_ID: "12" } }))).toMatchObject({
      member: "accountId",
    });
    expect(failure(() => loadConfig({ env: { DATABASE_URL: "mysql://x" } }))).toMatchObject({
      member: "databaseUrl",
    });
    expect(failure(() => loadConfig({ flags: { accessKeyId: "short" } }))).toMatchObject({
      member: "accessKeyId",
    });
    expect(failure(() => loadConfig({ flags: { port: "99999" } }))).toMatchObject({ member: "port" });
  });
});
