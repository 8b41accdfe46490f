import {
  CreateDomainCommand,
  GetAutoMergingPreviewCommand,
  GetDomainCommand,
  GetIdentityResolutionJobCommand,
  GetMatchesCommand,
  GetSimilarProfilesCommand,
  ListIdentityResolutionJobsCommand,
  ListProfileHistoryRecordsCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { until } from "../e2e/integration-harness.ts";
import { crmAndHelpdesk, profilesOf as profilesOf_, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const FIRST = [
  "Ann",
  "Bo",
  "Cy",
  "Di",
  "Ed",
  "Flo",
  "Gus",
  "Hal",
  "Ida",
  "Jo",
  "Kim",
  "Lou",
  "Max",
  "Ned",
  "Oda",
];
const LAST = ["Lee", "Nash", "Orr", "Park", "Quinn", "Reyes", "Shaw", "Tate", "Underwood", "Vance"];

describeEachDialect("ML matching (identity resolution jobs) through the SDK", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  const put = (domain: string, type: string, o: Record<string, string>) => putObject(t, domain, type, o);
  const profileOf = async (domain: string, key: string, value: string) => {
    const found = await profilesOf_(t, domain, key, value);
    expect(found).toHaveLength(1);
    return found[0]!.ProfileId!;
  };
  const profileCount = async (domain: string) =>
    (await t.profiles.send(new GetDomainCommand({ DomainName: domain }))).Stats?.ProfileCount;
  /** StartIdentityResolutionJob (extension: AWS's jobs run only on their schedule), then waits for its end. */
  const runJob = async (domain: string) => {
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${domain}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    const { JobId } = (await res.json()) as { JobId: string };
    return until(`job ${JobId}`, async () => {
      const job = await t.profiles.send(new GetIdentityResolutionJobCommand({ DomainName: domain, JobId }));
      return job.Status === "COMPLETED" || job.Status === "FAILED" ? job : undefined;
    });
  };

  /**
   * 40 people, each a crm contact and a helpdesk user of their own (email in another case, phone in
   * another format, a typo in some last names); 20 people only in the crm; and a trap: Bob and Eve Ames,
   * two people of one company who both give its info@ mailbox and phone.
   */
  const population = async (domain: string) => {
    await crmAndHelpdesk(t, domain);
    for (let i = 0; i < 40; i++) {
      const first = `${FIRST[i % FIRST.length]}${i}`;
      const last = LAST[i % LAST.length]!;
      const digits = String(2000 + i).padStart(4, "0");
      await put(domain, "crm", {
        id: `c${i}`,
        first,
        last,
        email: `${first}.${last}@example.com`.toLowerCase(),
        phone: `(555) 201-${digits}`,
        ...(i % 2 === 0 ? { birth: `19${60 + i}-01-15` } : {}),
      });
      await put(domain, "helpdesk", {
        id: `h${i}`,
        first,
        last: i % 7 === 0 ? `${last}e` : last,
        email: ` ${first}.${last}@EXAMPLE.com`,
        phone: `+1 555 201 ${digits}`,
      });
    }
    for (let i = 0; i < 20; i++) {
      await put(domain, "crm", {
        id: `s${i}`,
        first: `Solo${i}`,
        last: LAST[i % LAST.length]!,
        email: `solo${i}@example.org`,
        phone: `(555) 301-${String(3000 + i)}`,
      });
    }
    await put(domain, "crm", {
      id: "bob",
      first: "Bob",
      last: "Ames",
      email: "info@acme.example",
      phone: "555 777 0000",
    });
    await put(domain, "helpdesk", {
      id: "eve",
      first: "Eve",
      last: "Ames",
      email: "INFO@acme.example",
      phone: "5557770000",
    });
  };

  it("a job finds the same people with calibrated scores, lists them, previews auto-merging; nothing merged", async () => {
    const D = "ml-review";
    const created = await t.profiles.send(
      new CreateDomainCommand({
        DomainName: D,
        DefaultExpirationDays: 30,
        Matching: {
          Enabled: true,
          JobSchedule: { DayOfTheWeek: "SUNDAY", Time: "03:00" },
          AutoMerging: { Enabled: false },
        },
      }),
    );
    expect(created.Matching).toEqual({
      Enabled: true,
      JobSchedule: { DayOfTheWeek: "SUNDAY", Time: "03:00" },
      AutoMerging: { Enabled: false },
    });
    // No job has run: no matches, no jobs.
    expect((await t.profiles.send(new GetMatchesCommand({ DomainName: D }))).Matches).toEqual([]);
    await population(D);
    expect(await profileCount(D)).toBe(102);

    const job = await runJob(D);
    expect(job.Status).toBe("COMPLETED");
    expect(job.JobStats).toEqual({
      NumberOfProfilesReviewed: 102,
      NumberOfMatchesFound: 40,
      NumberOfMergesDone: 0,
    });
    expect(job.JobStartTime).toBeInstanceOf(Date);
    expect(job.JobEndTime).toBeInstanceOf(Date);

    const matches = await t.profiles.send(new GetMatchesCommand({ DomainName: D, MaxResults: 100 }));
    expect(matches.PotentialMatches).toBe(40);
    expect(matches.MatchGenerationDate).toBeInstanceOf(Date);
    const pairs = new Set<string>();
    for (const m of matches.Matches ?? []) {
      expect(m.ConfidenceScore).toBeGreaterThanOrEqual(0.9);
      expect(m.ConfidenceScore).toBeLessThanOrEqual(1);
      pairs.add([...m.ProfileIds!].sort().join(","));
    }
    for (let i = 0; i < 40; i++) {
      const pair = [await profileOf(D, "_crmId", `c${i}`), await profileOf(D, "_helpdeskId", `h${i}`)];
      expect(pairs.has(pair.sort().join(","))).toBe(true);
    }
    // Bob and Eve share a mailbox and a phone, not a person: not a match.
    const bob = await profileOf(D, "_crmId", "bob");
    expect([...pairs].some((p) => p.includes(bob))).toBe(false);
    // Paged: the same 40, two pages.
    const first = await t.profiles.send(new GetMatchesCommand({ DomainName: D, MaxResults: 25 }));
    const second = await t.profiles.send(
      new GetMatchesCommand({ DomainName: D, MaxResults: 25, NextToken: first.NextToken! }),
    );
    expect(first.Matches).toHaveLength(25);
    expect(second.Matches).toHaveLength(15);
    expect(second.NextToken).toBeUndefined();

    const c0 = await profileOf(D, "_crmId", "c0");
    const similar = await t.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: D,
        MatchType: "ML_BASED_MATCHING",
        SearchKey: "_crmId",
        SearchValue: "c0",
      }),
    );
    expect(similar.ProfileIds).toEqual([c0, await profileOf(D, "_helpdeskId", "h0")]);
    expect(similar.MatchType).toBe("ML_BASED_MATCHING");
    expect(similar.ConfidenceScore).toBeGreaterThanOrEqual(0.9);
    expect(similar.MatchId).toMatch(/^[0-9a-f]{32}$/);

    const preview = await t.profiles.send(
      new GetAutoMergingPreviewCommand({
        DomainName: D,
        Consolidation: { MatchingAttributesList: [["EmailAddress"], ["PhoneNumber"]] },
        ConflictResolution: { ConflictResolvingModel: "RECENCY" },
        MinAllowedConfidenceScoreForMerging: 0.9,
      }),
    );
    expect(preview).toMatchObject({
      DomainName: D,
      NumberOfMatchesInSample: 40,
      NumberOfProfilesInSample: 80,
      NumberOfProfilesWillBeMerged: 40,
    });
    // A list nobody satisfies (a birth date on both sides: helpdesk users carry none) merges nobody.
    const none = await t.profiles.send(
      new GetAutoMergingPreviewCommand({
        DomainName: D,
        Consolidation: { MatchingAttributesList: [["BirthDate"]] },
        ConflictResolution: { ConflictResolvingModel: "RECENCY" },
      }),
    );
    expect(none.NumberOfProfilesWillBeMerged).toBe(0);
    expect(await profileCount(D)).toBe(102);

    const jobs = await t.profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: D }));
    expect(jobs.IdentityResolutionJobsList?.map((j) => [j.JobId, j.Status])).toEqual([
      [job.JobId, "COMPLETED"],
    ]);
    expect(jobs.IdentityResolutionJobsList?.[0]?.JobStats?.NumberOfMatchesFound).toBe(40);
  });

  it("auto-merging merges above the threshold, never the two people behind a shared mailbox, and says why", async () => {
    const D = "ml-merge";
    await t.profiles.send(
      new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 30, Matching: { Enabled: false } }),
    );
    await population(D);
    // Matching off: no job can run.
    const refused = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${D}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(refused.status).toBe(400);
    const updated = await t.profiles.send(
      new UpdateDomainCommand({
        DomainName: D,
        Matching: {
          Enabled: true,
          AutoMerging: {
            Enabled: true,
            ConflictResolution: { ConflictResolvingModel: "RECENCY" },
            MinAllowedConfidenceScoreForMerging: 0.9,
          },
        },
      }),
    );
    expect(updated.Matching?.AutoMerging?.MinAllowedConfidenceScoreForMerging).toBe(0.9);
    const job = await runJob(D);
    expect(job.Status).toBe("COMPLETED");
    expect(job.JobStats?.NumberOfMergesDone).toBe(40);
    expect(job.AutoMerging?.MinAllowedConfidenceScoreForMerging).toBe(0.9);
    expect(await profileCount(D)).toBe(62);
    for (let i = 0; i < 40; i++)
      expect(await profileOf(D, "_helpdeskId", `h${i}`)).toBe(await profileOf(D, "_crmId", `c${i}`));
    expect(await profileOf(D, "_crmId", "bob")).not.toBe(await profileOf(D, "_helpdeskId", "eve"));
    // Merged pairs are no longer matches.
    expect((await t.profiles.send(new GetMatchesCommand({ DomainName: D }))).Matches).toEqual([]);

    const c3 = await profileOf(D, "_crmId", "c3");
    const history = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName: D, ProfileId: c3, ActionType: "MERGED" }),
    );
    expect(history.ProfileHistoryRecords).toHaveLength(1);
    expect(history.ProfileHistoryRecords?.[0]?.PerformedBy).toBe("identity-resolution-job");
    // A second run finds nothing left to merge.
    const again = await runJob(D);
    expect(again.JobStats).toMatchObject({ NumberOfProfilesReviewed: 62, NumberOfMergesDone: 0 });
  });
});
