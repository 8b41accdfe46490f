import {
  CreateDomainCommand,
  GetSimilarProfilesCommand,
  ListProfileHistoryRecordsCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ConsoleHarness,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  NARROW,
  screenshot,
  startConsole,
} from "./console-harness.ts";

describeConsole("Profiles search and the unified profile (chromium)", () => {
  let h: ConsoleHarness;
  const domain = "people";
  let adaId = "";

  beforeAll(async () => {
    h = await startConsole("sqlite");
    const { profiles } = h.server;
    await profiles.send(new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 30 }));
    const put = (ObjectTypeName: string, record: Record<string, unknown>) =>
      profiles.send(
        new PutProfileObjectCommand({ DomainName: domain, ObjectTypeName, Object: JSON.stringify(record) }),
      );
    // Ada in Salesforce, then in Marketo: the lead carries her Salesforce contact id and joins her profile.
    await put("Salesforce-Contact", {
      Id: "003ADA",
      AccountId: "001ACME",
      FirstName: "Ada",
      LastName: "Lovelace",
      Email: "ada@example.com",
      Phone: "(415) 555-0134",
      SystemModstamp: "2024-01-15T10:20:30.000+0000",
    });
    await put("Marketo-leads", {
      id: 4242,
      sfdcContactId: "003ADA",
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      city: "London",
      updatedAt: "2024-02-01T00:00:00Z",
    });
    await put("Salesforce-Contact", {
      Id: "003BOB",
      AccountId: "001ACME",
      FirstName: "Bob",
      LastName: "Babbage",
      Email: "bob@example.com",
      SystemModstamp: "2024-01-15T10:20:30.000+0000",
    });
    const found = await profiles.send(
      new SearchProfilesCommand({ DomainName: domain, KeyName: "_salesforceContactId", Values: ["003ADA"] }),
    );
    adaId = found.Items?.[0]?.ProfileId ?? "";
    expect(adaId).toMatch(/^[a-f0-9]{32}$/);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("searches profiles by a key through the form; the result links to the profile (deep link kept)", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/profiles`);
    // Before a search: the profiles whose objects arrived last.
    await p.page.getByRole("heading", { name: /Recently updated profiles/ }).waitFor();
    await p.page.getByRole("link", { name: "Bob Babbage" }).waitFor();
    await p.page.getByRole("combobox", { name: "Key" }).fill("_email");
    await p.page.getByRole("searchbox", { name: "Value" }).fill("ada@example.com");
    await p.page.getByRole("button", { name: "Search", exact: true }).click();
    await p.page.getByRole("heading", { name: /Search results/ }).waitFor();
    const url = new URL(p.page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ key: "_email", value: "ada@example.com" });
    const row = p.page.getByRole("row").filter({ hasText: adaId });
    await row.waitFor();
    expect(await p.page.getByRole("link", { name: "Bob Babbage" }).count()).toBe(0);
    await expectAccessible(p, "profiles search");
    await screenshot(p, "profiles");
    await row.getByRole("link", { name: "Ada Lovelace" }).click();
    await p.page.waitForURL(`**/console/domains/${domain}/profiles/${adaId}`);
    await p.page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    // A search nobody matches: the empty state says so (a deep link whose query ends like a file name).
    await p.page.goto(`${h.url}domains/${domain}/profiles?key=_email&value=nobody%40example.com`);
    await p.page.getByText("No profiles found").waitFor();
    expectCleanConsole(p);
  });

  it("shows a person's fields with their source, objects from two sources, and the history", async () => {
    const history = await h.server.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName: domain, ProfileId: adaId }),
    );
    const records = history.ProfileHistoryRecords ?? [];
    expect(records.length).toBeGreaterThan(1);
    for (const viewport of [undefined, NARROW]) {
      const p = await h.newPage(viewport);
      await h.signIn(p);
      await p.page.goto(`${h.url}domains/${domain}/profiles/${adaId}`);
      await p.page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
      // Fields and where each came from: the city only Marketo knows.
      const city = p.page.getByRole("row").filter({ hasText: "Address.City" });
      await city.waitFor();
      expect(await city.locator("td, th").allTextContents()).toEqual([
        "Address.City",
        "London",
        "Marketo-leads 4242",
      ]);
      const email = p.page.getByRole("row").filter({ hasText: "EmailAddress" });
      expect(await email.textContent()).toContain("Salesforce-Contact 003ADA");
      // Every object from both sources, with the key that joined the lead.
      const contact = p.page.getByRole("row").filter({ hasText: "created this profile" });
      await contact.waitFor();
      expect(await contact.textContent()).toMatch(/Salesforce-Contact003ADA/);
      const lead = p.page.getByRole("row").filter({ hasText: "_salesforceContactId = 003ADA" });
      await lead.waitFor();
      expect(await lead.textContent()).toMatch(/Marketo-leads4242/);
      expect(await lead.textContent()).toContain('"city":"London"');
      // The history: as many records as the API has, newest first.
      const historyHeading = p.page.getByRole("heading", { name: /History/ });
      await p.page.getByRole("heading", { name: `History (${records.length})` }).waitFor();
      expect(await historyHeading.count()).toBe(1);
      for (const r of records) {
        await p.page.getByRole("row").filter({ hasText: r.ActionType! }).first().waitFor();
      }
      // Matching is not enabled on this domain: the page says so.
      await p.page.getByText(/Matching is not enabled for this domain/).waitFor();
      await expectAccessible(p, "the unified profile");
      await screenshot(p, "profile");
      expectCleanConsole(p);
    }
  });

  it("shows the matches and the merges of a profile where rule-based matching runs", async () => {
    const { profiles } = h.server;
    const DomainName = "matched";
    await profiles.send(
      new CreateDomainCommand({
        DomainName,
        DefaultExpirationDays: 30,
        RuleBasedMatching: {
          Enabled: true,
          MatchingRules: [{ Rule: ["EmailAddress"] }, { Rule: ["FirstName", "LastName"] }],
          MaxAllowedRuleLevelForMerging: 1,
          MaxAllowedRuleLevelForMatching: 2,
        },
      }),
    );
    const put = (ObjectTypeName: string, record: Record<string, unknown>) =>
      profiles.send(
        new PutProfileObjectCommand({ DomainName, ObjectTypeName, Object: JSON.stringify(record) }),
      );
    const contact = (Id: string, Email: string) => ({
      Id,
      FirstName: "Grace",
      LastName: "Hopper",
      Email,
      SystemModstamp: "2024-01-15T10:20:30.000+0000",
    });
    // Salesforce and Marketo know Grace by the same email: rule 1 merges them. Another Grace Hopper with
    // another email only shares the name: rule 2 matches her, and a name alone never merges.
    await put("Salesforce-Contact", contact("003GH1", "grace@example.com"));
    await put("Marketo-leads", {
      id: 77,
      firstName: "Grace",
      lastName: "Hopper",
      email: "grace@example.com",
      updatedAt: "2024-02-01T00:00:00Z",
    });
    await put("Salesforce-Contact", contact("003GH2", "g.hopper@elsewhere.example"));
    const find = async (KeyName: string, value: string) =>
      (await profiles.send(new SearchProfilesCommand({ DomainName, KeyName, Values: [value] }))).Items?.[0]
        ?.ProfileId ?? "";
    const grace = await find("_salesforceContactId", "003GH1");
    expect(await find("_marketoLeadId", "77")).toBe(grace);
    const other = await find("_salesforceContactId", "003GH2");
    expect(other).not.toBe(grace);
    const similar = await profiles.send(
      new GetSimilarProfilesCommand({
        DomainName,
        MatchType: "RULE_BASED_MATCHING",
        SearchKey: "_profileId",
        SearchValue: grace,
      }),
    );
    expect(similar.ProfileIds).toEqual([grace, other]);

    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${DomainName}/profiles/${grace}`);
    await p.page.getByRole("heading", { name: "Grace Hopper" }).waitFor();
    const match = p.page.getByRole("row").filter({ hasText: other });
    await match.waitFor();
    expect(await match.textContent()).toContain(`Rule ${similar.RuleLevel}`);
    await match.getByRole("link", { name: other }).waitFor();
    await p.page.getByRole("heading", { name: "Merges (1)" }).waitFor();
    await p.page.getByRole("row").filter({ hasText: "rule 1" }).waitFor();
    await p.page
      .getByRole("row")
      .filter({ hasText: "Marketo-leads" })
      .filter({ hasText: "77" })
      .first()
      .waitFor();
    await expectAccessible(p, "a profile with matches and merges");
    await screenshot(p, "profile-matches");
    expectCleanConsole(p);
  });

  it("shows the API's message for a profile that does not exist, and no empty sections", async () => {
    const p = await h.newPage();
    const missing = "0".repeat(32);
    // The profile's history is refused (404) for a profile that does not exist: that call only.
    p.allow(
      /Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http:\/\/[^/]+\/domains\/people\/profiles\/history-records\?/,
    );
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/profiles/${missing}`);
    await p.page.getByText("Load profile failed").waitFor();
    await p.page.getByText(`Profile ${missing} could not be loaded`).waitFor();
    await p.page.getByRole("button", { name: "Retry" }).waitFor();
    // Nothing that reads as a profile with no fields or objects.
    expect(await p.page.getByRole("heading", { name: /^Fields/ }).count()).toBe(0);
    expect(await p.page.getByRole("heading", { name: /^Objects/ }).count()).toBe(0);
    expect(await p.page.getByRole("table").count()).toBe(0);
    await expectAccessible(p, "a missing profile");
    expectCleanConsole(p);
  });
});
