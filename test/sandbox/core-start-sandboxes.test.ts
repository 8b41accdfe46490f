import { describe, expect, it } from "vitest";
import { startSandboxes } from "../../src/sandbox/start-sandboxes.ts";

describe("startSandboxes", () => {
  it("starts every vendor on one shared clock and reports string credentials", async () => {
    const sb = await startSandboxes({ seed: 9, people: 200 });
    try {
      const vendors = Object.keys(sb.credentials);
      expect(vendors).toEqual(expect.arrayContaining(["salesforce", "servicenow", "marketo"]));
      expect(Object.keys(sb.credentials.salesforce!)).toEqual(
        expect.arrayContaining(["instanceUrl", "clientId", "clientSecret", "refreshToken", "accessToken"]),
      );
      for (const creds of Object.values(sb.credentials))
        for (const v of Object.values(creds)) expect(typeof v).toBe("string");
      const urls = Object.values(sb.servers).map((s) => s.url);
      expect(new Set(urls).size).toBe(urls.length);
      await fetch(`${urls[0]}/__sandbox/clock`, {
        method: "POST",
        body: JSON.stringify({ set: "2031-05-01T00:00:00Z", speed: 0 }),
      });
      for (const u of urls) {
        const clock = (await (await fetch(`${u}/__sandbox/clock`)).json()) as { iso: string };
        expect(clock.iso).toBe("2031-05-01T00:00:00.000Z");
      }
    } finally {
      await sb.close();
    }
  });
});
