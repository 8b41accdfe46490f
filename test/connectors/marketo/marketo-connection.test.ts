import { afterEach, describe, expect, it } from "vitest";
import { connect, credentialsOf, readAll, sandbox } from "./harness.ts";

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

describe("Marketo connection test and describe (sandbox)", () => {
  it("says Connected for good client credentials and names refused ones", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const good = connect(sb).connector;
    const bad = connect(sb, credentialsOf(sb, "wrong-secret")).connector;
    closers.push(good, bad);
    expect(await good.testConnection()).toEqual({ status: "Connected" });
    expect(await bad.testConnection()).toMatchObject({
      status: "Failed",
      class: "auth",
      reason: expect.stringMatching(/^client id or client secret rejected/),
    });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    await expect(readAll(bad, { object: "leads", window })).rejects.toMatchObject({ class: "auth" });
  });

  it("describes leads from leads/describe.json and refuses other objects as config", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const { connector } = connect(sb);
    closers.push(connector);
    expect((await connector.listObjects()).map((o) => o.name)).toEqual(["leads"]);
    const leads = await connector.describeObject("leads");
    expect(leads.fields!.map((f) => f.name)).toEqual(
      expect.arrayContaining(["id", "email", "updatedAt", "sfdcContactId"]),
    );
    await expect(connector.describeObject("opportunities")).rejects.toMatchObject({ class: "config" });
    await expect(readAll(connector, { object: "activities", since: 0 })).rejects.toMatchObject({
      class: "config",
    });
  });
});
