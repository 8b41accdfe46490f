import { describe, expect, it } from "vitest";
import { defaults, loadConfig } from "../../src/config/config.ts";
import { isProfileflowError } from "../../src/core/errors.ts";

function configError(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isProfileflowError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("edge settings", () => {
  it("defaults: no extra signing region, 30 s request, 10 s headers, 120 s idle, 72 s keep-alive, 1024 connections", () => {
    const c = loadConfig({ env: {} });
    expect({
      signingRegions: c.signingRegions,
      requestTimeoutMs: c.requestTimeoutMs,
      headersTimeoutMs: c.headersTimeoutMs,
      connectionTimeoutMs: c.connectionTimeoutMs,
      keepAliveTimeoutMs: c.keepAliveTimeoutMs,
      maxConnections: c.maxConnections,
    }).toEqual({
      signingRegions: [],
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      connectionTimeoutMs: 120_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 1024,
    });
    expect(c.requestTimeoutMs).toBe(defaults.requestTimeoutMs);
  });

  it("from the environment: a comma-separated region list and numbers", () => {
    const c = loadConfig({
      env: {
        PROFILEFLOW_SIGNING_REGIONS: "eu-west-1, us-west-2",
        PROFILEFLOW_REQUEST_TIMEOUT_MS: "5000",
        PROFILEFLOW_HEADERS_TIMEOUT_MS: "2000",
        PROFILEFLOW_CONNECTION_TIMEOUT_MS: "60000",
        PROFILEFLOW_KEEP_ALIVE_TIMEOUT_MS: "5000",
        PROFILEFLOW_MAX_CONNECTIONS: "10",
      },
    });
    expect(c.signingRegions).toEqual(["eu-west-1", "us-west-2"]);
    expect([
      c.requestTimeoutMs,
      c.headersTimeoutMs,
      c.connectionTimeoutMs,
      c.keepAliveTimeoutMs,
      c.maxConnections,
    ]).toEqual([5000, 2000, 60000, 5000, 10]);
  });

  it("refused at start, naming the key: a malformed region, headers timeout above the request timeout, a zero cap", () => {
    expect(
      configError(() => loadConfig({ env: { PROFILEFLOW_SIGNING_REGIONS: "eu-west-1,moon" } })),
    ).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("signingRegions.1"),
    });
    expect(
      configError(() =>
        loadConfig({
          env: { PROFILEFLOW_REQUEST_TIMEOUT_MS: "1000", PROFILEFLOW_HEADERS_TIMEOUT_MS: "2000" },
        }),
      ).message,
    ).toBe("config headersTimeoutMs: must not exceed requestTimeoutMs");
    expect(configError(() => loadConfig({ env: { PROFILEFLOW_MAX_CONNECTIONS: "0" } })).message).toMatch(
      /^config maxConnections:/,
    );
  });
});
