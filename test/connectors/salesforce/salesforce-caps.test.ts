import { afterEach, describe, expect, it } from "vitest";
import { openSalesforce } from "../../../src/connectors/salesforce/index.ts";
import {
  type Connector,
  FakeTimer,
  isConnectorError,
  vendorPolicy,
} from "../../../src/connectors/sdk/index.ts";
import type { SalesforceSandbox } from "../../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { keys, readAll, refreshCredentials, sandbox, truth } from "./harness.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

const cap = 192 * 1024;

function capped(sb: SalesforceSandbox): Connector {
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  const c = openSalesforce(
    {
      instanceUrl: sb.credentials.loginUrl,
      credentials: refreshCredentials(sb),
      policy: vendorPolicy({ maxResponseBytes: cap }),
    },
    { timer },
    { bulkThreshold: 300 },
  );
  open.push(c);
  return c;
}

describe("Salesforce under a vendor answer cap (vendorResponseMaxBytes)", () => {
  it("reads REST pages and Bulk 2.0 result pages that fit, and refuses a page that does not", async () => {
    const sb = await sandbox(800);
    open.push(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const expected = await truth(sb, "Contact", window.from, window.to);
    // 200 rows: ~180 KB of REST JSON, ~70 KB of Bulk CSV per page — under the cap.
    const pages = await readAll(capped(sb), { object: "Contact", window, pageSize: 200 });
    expect(keys(pages)).toEqual(expected);
    // Bulk 2.0 pages were read under the cap too (the checkpoint says which API a page came from).
    expect(pages.filter((p) => p.checkpoint["mode"] === "bulk").length).toBeGreaterThan(0);
    expect(Math.max(...pages.map((p) => p.bytes ?? 0))).toBeLessThanOrEqual(cap);
    // 2,000 rows in one REST page: over the cap, a config error that says which setting.
    let failure: unknown;
    try {
      await readAll(capped(sb), { object: "Contact", window, pageSize: 2000 });
    } catch (e) {
      failure = e;
    }
    expect(isConnectorError(failure, "config")).toBe(true);
    expect((failure as Error).message).toContain(`larger than ${cap} bytes`);
  });
});
