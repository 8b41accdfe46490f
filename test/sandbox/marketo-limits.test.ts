import { afterEach, describe, expect, it } from "vitest";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { codeOf, marketoClient } from "./marketo-client.ts";

// 10:00 in Chicago (UTC-6 in January): the daily quota resets 14 h later, at 06:00 UTC.
const START = Date.UTC(2025, 0, 20, 16, 0, 0);
const open: MarketoSandbox[] = [];
afterEach(async () => {
  for (const sb of open.splice(0)) await sb.close();
});
const start = async (extra: Parameters<typeof startMarketoSandbox>[0] = {}) => {
  const sb = await startMarketoSandbox({ seed: 9, people: 100, clock: { start: START, speed: 0 }, ...extra });
  open.push(sb);
  return { sb, mk: marketoClient(sb) };
};
const DESCRIBE = "/rest/v1/leads/describe.json";

describe("marketo limits", () => {
  it("606 past 100 calls in 20 s scaled by the knob; free after the window; auth failures do not count", async () => {
    const { mk } = await start({ knobs: { rateLimitScale: 0.05 } });
    const token = await mk.token();
    for (let i = 0; i < 5; i++) expect(codeOf(await mk.get(DESCRIBE, {}, "bad:ab"))).toBe("601");
    for (let i = 0; i < 5; i++) expect((await mk.get(DESCRIBE, {}, token)).success).toBe(true);
    const limited = await mk.get(DESCRIBE, {}, token);
    expect(limited).toMatchObject({ success: false, errors: [{ code: "606" }] });
    expect(limited.errors?.[0]?.message).toBe("Max rate limit '5' exceeded with in '20' secs");
    const counters = (await mk.admin("GET", "limits")) as { rejected: number };
    expect(counters.rejected).toBe(1);
    await mk.advance(20_000);
    expect((await mk.get(DESCRIBE, {}, token)).success).toBe(true);
  });

  it("607 once the daily quota is spent, until midnight America/Chicago", async () => {
    const { mk } = await start({ knobs: { rateLimitScale: 0.001 } });
    const token = await mk.token();
    for (let i = 0; i < 50; i++) {
      expect(await mk.get(DESCRIBE, {}, token)).toMatchObject({ success: true });
      await mk.advance(21_000);
    }
    expect(codeOf(await mk.get(DESCRIBE, {}, token))).toBe("607");
    expect(codeOf(await mk.get(DESCRIBE, {}, token))).toBe("607");
    const counters = (await mk.admin("GET", "limits")) as { early: number };
    expect(counters.early).toBeGreaterThanOrEqual(1);
    await mk.admin("POST", "clock", { set: Date.UTC(2025, 0, 21, 5, 59, 0) });
    const t2 = await mk.token();
    expect(codeOf(await mk.get(DESCRIBE, {}, t2))).toBe("607");
    await mk.admin("POST", "clock", { set: Date.UTC(2025, 0, 21, 6, 0, 0) });
    expect((await mk.get(DESCRIBE, {}, t2)).success).toBe(true);
  });

  it("615 when more than 10 calls are in flight", async () => {
    const { mk } = await start({ processingMs: 1500 });
    const token = await mk.token();
    const all = await Promise.all(Array.from({ length: 14 }, () => mk.get(DESCRIBE, {}, token)));
    const ok = all.filter((e) => e.success).length;
    const busy = all.filter((e) => codeOf(e) === "615").length;
    expect(ok + busy).toBe(14);
    expect(ok).toBeLessThanOrEqual(10);
    expect(busy).toBeGreaterThanOrEqual(4);
  });

  it("injected transient faults cycle 604/608/611/713 and an injected 606, all on HTTP 200", async () => {
    const { sb, mk } = await start({ knobs: { errorRate: { transient: 1 } } });
    const token = await mk.token();
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${sb.url}${DESCRIBE}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      codes.push(codeOf((await res.json()) as never));
    }
    expect(codes).toEqual(["604", "608", "611", "713"]);
    await mk.knobs({ errorRate: { transient: 0, rateLimit: 1 } });
    expect(codeOf(await mk.get(DESCRIBE, {}, token))).toBe("606");
    await mk.knobs({ errorRate: { rateLimit: 0 } });
    expect((await mk.get(DESCRIBE, {}, token)).success).toBe(true);
  });
});
