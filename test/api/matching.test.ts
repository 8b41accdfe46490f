import {
  BadRequestException,
  CreateDomainCommand,
  GetDomainCommand,
  GetProfileHistoryRecordCommand,
  GetSimilarProfilesCommand,
  ListProfileHistoryRecordsCommand,
  ListRuleBasedMatchesCommand,
  MergeProfilesCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { crmAndHelpdesk, profilesOf as profilesOf_, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

describeEachDialect("rule-based matching through the SDK", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  const put = (domain: string, type: string, o: Record<string, string>) => putObject(t, domain, type, o);
  const profilesOf = (domain: string, key: string, value: string) => profilesOf_(t, domain, key, value);
  const profileCount = async (domain: string) =>
    (await t.profiles.send(new GetDomainCommand({ DomainName: domain }))).Stats?.ProfileCount;
  /** A domain with the recommended rule-based matching and the crm and helpdesk object types. */
  const matchingDomain = async (domain: string) => {
    const created = await t.profiles.send(
      new CreateDomainCommand({
        DomainName: domain,
        DefaultExpirationDays: 30,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    await crmAndHelpdesk(t, domain);
    return created;
  };

  it("merges the same person across sources as objects arrive, and explains the merge in history", async () => {
    const D = "live";
    const created = await matchingDomain(D);
    // Nothing to process yet: objects are matched as they arrive, so matching is active at once.
    expect(created.RuleBasedMatching?.Status).toBe("ACTIVE");
    await put(D, "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee",
      email: " Ann.Lee@Example.com",
      phone: "(555) 201-3344",
    });
    await put(D, "helpdesk", { id: "h1", email: "ann.lee@example.COM ", phone: "+1 555 201 3344" });
    const [one, ...rest] = await profilesOf(D, "_crmId", "c1");
    expect(rest).toEqual([]);
    expect((await profilesOf(D, "_helpdeskId", "h1")).map((p) => p.ProfileId)).toEqual([one!.ProfileId]);
    expect(await profileCount(D)).toBe(1);

    const history = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({
        DomainName: D,
        ProfileId: one!.ProfileId!,
        ActionType: "MERGED",
      }),
    );
    expect(history.ProfileHistoryRecords).toHaveLength(1);
    expect(history.ProfileHistoryRecords?.[0]?.PerformedBy).toBe("rule-based-matching");
  });

  it("a shared mailbox never merges two people alone; a name-only agreement is listed, never merged", async () => {
    const D = "guards";
    await matchingDomain(D);
    // Two people of one company give its info@ mailbox; the helpdesk record carries it and nothing else.
    await put(D, "crm", { id: "c1", first: "Bob", last: "Ames", email: "info@acme.example" });
    await put(D, "helpdesk", { id: "h1", email: "INFO@acme.example" });
    await put(D, "crm", {
      id: "c2",
      first: "Eve",
      last: "Ames",
      email: "info@acme.example",
      phone: "555-201-9999",
    });
    expect(await profileCount(D)).toBe(3);
    // Same name, nothing else in common: two people as far as anyone can tell.
    await put(D, "crm", { id: "c3", first: "Carl", last: "Diaz", email: "carl@one.example" });
    await put(D, "helpdesk", { id: "h3", first: "Carl", last: "Diaz", email: "cdiaz@two.example" });
    expect(await profileCount(D)).toBe(5);
    const matches = await t.profiles.send(new ListRuleBasedMatchesCommand({ DomainName: D }));
    expect(matches.MatchIds?.length).toBeGreaterThanOrEqual(1);
    const carl = (await profilesOf(D, "_crmId", "c3"))[0]!.ProfileId!;
    const namesake = (await profilesOf(D, "_helpdeskId", "h3"))[0]!.ProfileId!;
    const similar = await t.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: D,
        MatchType: "RULE_BASED_MATCHING",
        SearchKey: "_crmId",
        SearchValue: "c3",
      }),
    );
    expect(similar).toMatchObject({ ProfileIds: [carl, namesake], RuleLevel: 8 });
    expect(matches.MatchIds).toContain(similar.MatchId);
    // No identity resolution job has run in this domain: ML matching knows no similar profile.
    const ml = await t.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: D,
        MatchType: "ML_BASED_MATCHING",
        SearchKey: "_crmId",
        SearchValue: "c3",
      }),
    );
    expect(ml).toMatchObject({ ProfileIds: [], MatchType: "ML_BASED_MATCHING" });
    // Different birth dates veto a merge that email and phone alone would make.
    await put(D, "crm", {
      id: "c4",
      first: "Dan",
      last: "Fox",
      email: "dan@fox.example",
      birth: "1980-01-02",
    });
    await put(D, "helpdesk", {
      id: "h4",
      first: "Dan",
      last: "Fox",
      email: "dan@fox.example",
      birth: "1991-05-06",
    });
    expect(await profileCount(D)).toBe(7);
  });

  it("turning matching on for a domain with profiles processes them in a job: PENDING/IN_PROGRESS, then ACTIVE", async () => {
    const D = "late";
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 30 }));
    await crmAndHelpdesk(t, D);
    for (let i = 0; i < 30; i++) {
      await put(D, "crm", { id: `c${i}`, first: `F${i}`, last: "Lee", email: `p${i}@example.com` });
      await put(D, "helpdesk", {
        id: `h${i}`,
        email: `P${i}@Example.com`,
        phone: `555-301-${String(1000 + i)}`,
      });
    }
    expect(await profileCount(D)).toBe(60);
    const updated = await t.profiles.send(
      new UpdateDomainCommand({ DomainName: D, RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never }),
    );
    expect(["PENDING", "IN_PROGRESS", "ACTIVE"]).toContain(updated.RuleBasedMatching?.Status);
    await waitFor(
      async () =>
        (await t.profiles.send(new GetDomainCommand({ DomainName: D }))).RuleBasedMatching?.Status ===
        "ACTIVE",
      { intervalMs: 100, what: "rule-based matching to be ACTIVE" },
    );
    expect(await profileCount(D)).toBe(30);
  });

  /** An extension operation (no SDK command), signed as the SDK signs. */
  const extension = async (domain: string, op: "unmerge" | "explain", body: Record<string, unknown>) => {
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${domain}/profiles/${op}`,
      body: JSON.stringify(body),
      credentials: t.credentials,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** The MERGED history records of a profile, with their Content (GetProfileHistoryRecord). */
  const mergedHistory = async (domain: string, profileId: string) => {
    const list = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({
        DomainName: domain,
        ProfileId: profileId,
        ActionType: "MERGED",
      }),
    );
    return Promise.all(
      (list.ProfileHistoryRecords ?? []).map((r) =>
        t.profiles.send(
          new GetProfileHistoryRecordCommand({ DomainName: domain, ProfileId: profileId, Id: r.Id! }),
        ),
      ),
    );
  };

  it("a merge says why in history and ExplainProfile; UnmergeProfiles restores both profiles and keeps them apart", async () => {
    const D = "undo";
    await matchingDomain(D);
    await put(D, "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee",
      email: "ann@lee.example",
      phone: "555-201-3344",
    });
    const original = (await profilesOf(D, "_crmId", "c1"))[0]!.ProfileId!;
    await put(D, "helpdesk", { id: "h1", email: "ANN@lee.example", birth: "1990-01-02" });
    expect(await profileCount(D)).toBe(1);
    const main = (await profilesOf(D, "_crmId", "c1"))[0]!;
    expect(main.BirthDate).toBe("1990-01-02");
    const [merged] = await mergedHistory(D, main.ProfileId!);
    const content = JSON.parse(merged!.Content!) as {
      MergeId: string;
      MergedProfileIds: string[];
      Cause: { Type: string; Links: { RuleLevel: number; Rule: string[]; Values: Record<string, string> }[] };
    };
    expect(content.Cause.Type).toBe("RULE_BASED_MATCHING");
    expect(content.Cause.Links).toEqual([
      expect.objectContaining({
        RuleLevel: 4,
        Rule: ["EmailAddress"],
        Values: { EmailAddress: "ann@lee.example" },
      }),
    ]);

    const explained = await extension(D, "explain", { ProfileId: main.ProfileId });
    expect(explained.status).toBe(200);
    expect(explained.body["Merges"]).toEqual([
      expect.objectContaining({
        MergeId: content.MergeId,
        MainProfileId: main.ProfileId,
        PerformedBy: "rule-based-matching",
      }),
    ]);
    const objects = explained.body["Objects"] as { ObjectTypeName: string; OriginalProfileId: string }[];
    expect(objects.map((o) => o.ObjectTypeName).sort()).toEqual(["crm", "helpdesk"]);
    const helpdeskProfile = objects.find((o) => o.ObjectTypeName === "helpdesk")!.OriginalProfileId;
    expect(content.MergedProfileIds).toEqual([helpdeskProfile]);

    const undone = await extension(D, "unmerge", { MergeId: content.MergeId });
    expect(undone).toMatchObject({
      status: 200,
      body: { MainProfileId: main.ProfileId, RestoredProfileIds: [helpdeskProfile] },
    });
    expect(await profileCount(D)).toBe(2);
    const crm = (await profilesOf(D, "_crmId", "c1"))[0]!;
    const helpdesk = (await profilesOf(D, "_helpdeskId", "h1"))[0]!;
    expect(crm.ProfileId).toBe(original);
    expect(helpdesk.ProfileId).toBe(helpdeskProfile);
    expect(crm.BirthDate).toBeUndefined();
    expect(helpdesk.BirthDate).toBe("1990-01-02");
    // The same object again: matching sees the pair an unmerge separated and leaves it apart.
    await put(D, "helpdesk", { id: "h1", email: "ANN@lee.example", birth: "1990-01-02" });
    expect(await profileCount(D)).toBe(2);
    expect((await extension(D, "unmerge", { MergeId: content.MergeId })).status).toBe(404);

    // A merge made by MergeProfiles is recorded the same way and undone the same way; only the latest first.
    await put(D, "crm", { id: "c9", first: "Zed", last: "Ray", email: "zed@ray.example" });
    const zed = (await profilesOf(D, "_crmId", "c9"))[0]!.ProfileId!;
    await t.profiles.send(
      new MergeProfilesCommand({
        DomainName: D,
        MainProfileId: original,
        ProfileIdsToBeMerged: [helpdeskProfile],
      }),
    );
    await t.profiles.send(
      new MergeProfilesCommand({ DomainName: D, MainProfileId: original, ProfileIdsToBeMerged: [zed] }),
    );
    const manual = (await mergedHistory(D, original)).map(
      (r) => JSON.parse(r.Content!) as { MergeId: string; MergedProfileIds: string[] },
    );
    const first = manual.find((m) => m.MergedProfileIds[0] === helpdeskProfile)!;
    const second = manual.find((m) => m.MergedProfileIds[0] === zed)!;
    const refused = await extension(D, "unmerge", { MergeId: first.MergeId });
    expect(refused.status).toBe(400);
    expect(String(refused.body["Message"])).toContain(second.MergeId);
    expect((await extension(D, "unmerge", { MergeId: second.MergeId })).status).toBe(200);
    expect((await extension(D, "unmerge", { MergeId: first.MergeId })).status).toBe(200);
    expect(await profileCount(D)).toBe(3);
    expect((await profilesOf(D, "_crmId", "c9"))[0]!.ProfileId).toBe(zed);
  });

  it("refuses settings that cannot work, naming the member", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ Enabled: true, MatchingRules: [{ Rule: ["Email"] }] }, "RuleBasedMatching.MatchingRules.0.Rule.0"],
      [
        { Enabled: true, MatchingRules: [{ Rule: ["Address.Town"] }] },
        "RuleBasedMatching.MatchingRules.0.Rule.0",
      ],
      [{ Enabled: true }, "RuleBasedMatching.MatchingRules"],
      [
        { Enabled: true, MatchingRules: [{ Rule: ["EmailAddress"] }], MaxAllowedRuleLevelForMerging: 2 },
        "RuleBasedMatching.MaxAllowedRuleLevelForMerging",
      ],
      [
        {
          Enabled: true,
          MatchingRules: [{ Rule: ["EmailAddress"] }, { Rule: ["PhoneNumber"] }],
          MaxAllowedRuleLevelForMerging: 2,
          MaxAllowedRuleLevelForMatching: 1,
        },
        "RuleBasedMatching.MaxAllowedRuleLevelForMerging",
      ],
      [
        {
          Enabled: true,
          MatchingRules: [{ Rule: ["EmailAddress"] }],
          AttributeTypesSelector: { AttributeMatchingModel: "ONE_TO_ONE", EmailAddress: ["WorkEmail"] },
        },
        "RuleBasedMatching.AttributeTypesSelector.EmailAddress.0",
      ],
      [
        {
          Enabled: true,
          MatchingRules: [{ Rule: ["EmailAddress"] }],
          ConflictResolution: { ConflictResolvingModel: "SOURCE" },
        },
        "RuleBasedMatching.ConflictResolution.SourceName",
      ],
    ];
    for (const [RuleBasedMatching, member] of cases) {
      const e = await t.profiles
        .send(
          new CreateDomainCommand({
            DomainName: "refused",
            DefaultExpirationDays: 1,
            RuleBasedMatching: RuleBasedMatching as never,
          }),
        )
        .then(
          () => undefined,
          (x: Error) => x,
        );
      expect(e, member).toBeInstanceOf(BadRequestException);
      expect(e?.message, member).toContain(member);
    }
    // ML matching's settings are validated as modelled (a score is a probability).
    const ml = await t.profiles
      .send(
        new CreateDomainCommand({
          DomainName: "refused",
          DefaultExpirationDays: 1,
          Matching: {
            Enabled: true,
            AutoMerging: { Enabled: true, MinAllowedConfidenceScoreForMerging: 1.5 },
          },
        }),
      )
      .then(
        () => undefined,
        (x: Error) => x,
      );
    expect(ml).toBeInstanceOf(BadRequestException);
    expect(ml?.message).toContain("MinAllowedConfidenceScoreForMerging");
  });
});
