import { CreateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Linkage } from "../../../src/ingest/matching/link-records.ts";
import { mergeLinked } from "../../../src/profiles/matching/merge-linked.ts";
import { readRecords } from "../../../src/profiles/matching/read-records.ts";
import { crmAndHelpdesk, profilesOf, putObject } from "../../helpers/matching-sources.ts";
import { describeEachDialect } from "../../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../../helpers/test-server.ts";

describeEachDialect("ML auto-merging: one group's failure leaves the others merged", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it("a batch that fails is retried group by group; the failing group's profiles are reported", async () => {
    const D = "partial-merge";
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 30 }));
    await crmAndHelpdesk(t, D);
    for (const [i, first] of ["Ann", "Bo"].entries()) {
      await putObject(t, D, "crm", { id: `c${i}`, first, last: "Lee", email: `${first}@lee.example` });
      await putObject(t, D, "helpdesk", { id: `h${i}`, first, last: "Lee", email: `${first}@lee.example` });
    }
    const id = async (key: string, v: string) => (await profilesOf(t, D, key, v))[0]!.ProfileId!;
    const [c0, h0, c1, h1] = [
      await id("_crmId", "c0"),
      await id("_helpdeskId", "h0"),
      await id("_crmId", "c1"),
      await id("_helpdeskId", "h1"),
    ];
    const db = t.server.database.db;
    const domain = { domainName: D, boxes: await t.server.profiles.profiles.sealer.boxesIn(db, D) };
    const records = (await readRecords(db, domain))!;
    const at = (p: string) => records.findIndex((r) => r.id === p);
    const pair = (a: string, b: string) => ({
      a: at(a),
      b: at(b),
      comparison: [0, 0, 0, -1, -1, -1],
      score: 0.9999,
    });
    const linkage = { candidates: 2, pairs: [pair(c0, h0), pair(c1, h1)] } as unknown as Linkage;
    // Bo's helpdesk profile becomes unreadable after the job read it: its group cannot merge.
    await t.server.database.db
      .updateTable("profiles")
      .set({ fields: "{not json" as never })
      .where("domain_name", "=", D)
      .where("profile_id", "=", h1)
      .execute();
    const merged = await mergeLinked(
      t.server.database,
      domain,
      "job",
      records,
      linkage,
      { Enabled: true },
      { now: () => Date.now() },
    );
    expect(merged.count).toBe(1);
    expect(merged.aborted).toBe(false);
    expect([...merged.failed].sort()).toEqual([c1, h1].sort());
    expect(merged.error).toBeDefined();
    // Ann's records are one profile, the oldest (RECENCY); Bo's stay two.
    expect(await id("_helpdeskId", "h0")).toBe(c0);
    expect((await profilesOf(t, D, "_crmId", "c0"))[0]!.Attributes).toMatchObject({
      crmId: "c0",
      helpdeskId: "h0",
    });
    expect(await id("_crmId", "c1")).toBe(c1);
  });
});
