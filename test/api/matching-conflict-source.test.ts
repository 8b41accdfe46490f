import { CreateDomainCommand, UpdateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describeEachDialect("ConflictResolution SOURCE: the named source's values win", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const rules = (conflict: Record<string, string>) => ({
    Enabled: true,
    MatchingRules: [{ Rule: ["EmailAddress"] }],
    MaxAllowedRuleLevelForMerging: 1,
    ConflictResolution: conflict as never,
  });
  /** A crm contact, then (newer) the same person as a helpdesk user who spelled the last name otherwise. */
  const onePersonTwice = async (domain: string) => {
    await crmAndHelpdesk(t, domain);
    await putObject(t, domain, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@example.com" });
    await putObject(t, domain, "helpdesk", {
      id: "h1",
      first: "Ann",
      last: "Leigh",
      email: "ANN@example.com ",
      phone: "555-201-3344",
    });
    const found = await profilesOf(t, domain, "_helpdeskId", "h1");
    expect(found).toHaveLength(1);
    expect(found[0]!.Attributes).toMatchObject({ crmId: "c1", helpdeskId: "h1" });
    return found[0]!;
  };

  it("merged by a rule, a profile takes the SOURCE's values over newer ones, and a field only another source has", async () => {
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: "recency",
        DefaultExpirationDays: 1,
        RuleBasedMatching: rules({ ConflictResolvingModel: "RECENCY" }),
      }),
    );
    expect((await onePersonTwice("recency")).LastName).toBe("Leigh");
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: "source",
        DefaultExpirationDays: 1,
        RuleBasedMatching: rules({ ConflictResolvingModel: "SOURCE", SourceName: "crm" }),
      }),
    );
    const p = await onePersonTwice("source");
    expect(p.LastName).toBe("Lee");
    expect(p.EmailAddress).toBe("ann@example.com");
    expect(p.PhoneNumber).toBe("555-201-3344");
    // A newer helpdesk object still loses to the crm's values; the crm's own update wins.
    await putObject(t, "source", "helpdesk", {
      id: "h1",
      first: "Annie",
      last: "Leigh",
      email: "ann@example.com",
    });
    expect((await profilesOf(t, "source", "_crmId", "c1"))[0]).toMatchObject({
      FirstName: "Ann",
      LastName: "Lee",
    });
    await putObject(t, "source", "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee-Smith",
      email: "ann@example.com",
    });
    expect((await profilesOf(t, "source", "_crmId", "c1"))[0]!.LastName).toBe("Lee-Smith");
    // Back to RECENCY: the newest source wins again at the next change.
    await t.profiles.send(
      new UpdateDomainCommand({
        DomainName: "source",
        RuleBasedMatching: rules({ ConflictResolvingModel: "RECENCY" }),
      }),
    );
    await putObject(t, "source", "helpdesk", {
      id: "h1",
      first: "Annie",
      last: "Leigh",
      email: "ann@example.com",
    });
    expect((await profilesOf(t, "source", "_crmId", "c1"))[0]!.LastName).toBe("Leigh");
  });
});
