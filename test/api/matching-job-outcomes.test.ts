import {
  CreateDomainCommand,
  GetIdentityResolutionJobCommand,
  GetMatchesCommand,
  GetProfileHistoryRecordCommand,
  ListIdentityResolutionJobsCommand,
  ListProfileHistoryRecordsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

const DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;
/** The JobSchedule of the minute `at` falls in (UTC). */
const scheduleAt = (at: number) => {
  const d = new Date(at);
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return { DayOfTheWeek: DAYS[d.getUTCDay()]!, Time: `${hh}:${mm}` };
};
const MINUTE = 60_000;

describeEachDialect("identity resolution jobs: the JobSchedule sweep and PARTIAL_SUCCESS", (dialect) => {
  let t: TestServer;
  // The engine's clock starts 11 minutes behind the wall's (a request signature may be 15 off), and is
  // moved to the wall's time: on PostgreSQL the queue runs a job once the database's time reaches its
  // run time, which the engine sets from its own clock.
  const clock = new ManualClock(Date.now() - 11 * 60_000);
  beforeAll(async () => {
    t = await startTestServer(dialect, { clock, workers: true });
  });
  afterAll(async () => t?.close());
  const jobsOf = async (domain: string) =>
    (await t.profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: domain })))
      .IdentityResolutionJobsList ?? [];
  /** Two people, each a crm contact and a helpdesk user (email in another case, phone in another format). */
  const twoPeopleTwice = async (domain: string, schedule: { DayOfTheWeek: string; Time: string }) => {
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: domain,
        DefaultExpirationDays: 30,
        Matching: {
          Enabled: true,
          JobSchedule: schedule as never,
          AutoMerging: { Enabled: true, ConflictResolution: { ConflictResolvingModel: "RECENCY" } },
        },
      }),
    );
    await crmAndHelpdesk(t, domain);
    for (const [i, first] of ["Ann", "Bo"].entries()) {
      await putObject(t, domain, "crm", {
        id: `c${i}`,
        first,
        last: "Quinn",
        email: `${first.toLowerCase()}.quinn@example.com`,
        phone: `(555) 201-300${i}`,
      });
      await putObject(t, domain, "helpdesk", {
        id: `h${i}`,
        first,
        last: "Quinn",
        email: `${first.toUpperCase()}.Quinn@Example.com`,
        phone: `+1 555 201 300${i}`,
      });
    }
  };

  it("starts each domain's job when its JobSchedule time comes round on the engine's clock, not before", async () => {
    const now = clock.now();
    // One schedule 5 minutes ahead; one 5 minutes ago, which passed before its domain existed.
    const due = now + 5 * MINUTE;
    await twoPeopleTwice("ahead", scheduleAt(due));
    await twoPeopleTwice("passed", scheduleAt(now - 5 * MINUTE));
    expect(await jobsOf("ahead")).toEqual([]);
    // The sweep runs every 5 minutes of the engine's clock: 11 minutes on, it has run past the time.
    clock.set(Math.max(Date.now(), now + 11 * MINUTE));
    const [job] = await waitFor(async () => {
      const jobs = await jobsOf("ahead");
      return jobs[0]?.Status === "COMPLETED" ? jobs : undefined;
    });
    expect(job!.JobStartTime!.getTime()).toBeGreaterThanOrEqual(Math.floor(due / MINUTE) * MINUTE);
    expect(job!.JobStats).toMatchObject({ NumberOfProfilesReviewed: 4, NumberOfMergesDone: 2 });
    expect((await profilesOf(t, "ahead", "_helpdeskId", "h1"))[0]!.Attributes).toMatchObject({
      crmId: "c1",
      helpdeskId: "h1",
    });
    // The passed schedule waits for next week; the job that ran is not started again.
    expect(await jobsOf("passed")).toEqual([]);
    expect(await jobsOf("ahead")).toHaveLength(1);
  }, 60_000);

  /** StartIdentityResolutionJob, then the job at its end. */
  const runJob = async (domain: string) => {
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${domain}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    const { JobId } = (await res.json()) as { JobId: string };
    return waitFor(async () => {
      const j = await t.profiles.send(new GetIdentityResolutionJobCommand({ DomainName: domain, JobId }));
      return ["COMPLETED", "PARTIAL_SUCCESS", "FAILED"].includes(j.Status ?? "") ? j : undefined;
    });
  };

  it("a pair an unmerge separated is neither merged nor listed by the next job", async () => {
    await twoPeopleTwice("apart", { DayOfTheWeek: "SUNDAY", Time: "00:00" });
    expect((await runJob("apart")).JobStats?.NumberOfMergesDone).toBe(2);
    const ann = (await profilesOf(t, "apart", "_crmId", "c0"))[0]!.ProfileId!;
    const merged = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName: "apart", ProfileId: ann, ActionType: "MERGED" }),
    );
    const record = await t.profiles.send(
      new GetProfileHistoryRecordCommand({
        DomainName: "apart",
        ProfileId: ann,
        Id: merged.ProfileHistoryRecords![0]!.Id!,
      }),
    );
    const { MergeId } = JSON.parse(record.Content!) as { MergeId: string };
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: "/domains/apart/profiles/unmerge",
      body: JSON.stringify({ MergeId }),
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    const again = await runJob("apart");
    expect(again.JobStats).toEqual({
      NumberOfProfilesReviewed: 3,
      NumberOfMatchesFound: 0,
      NumberOfMergesDone: 0,
    });
    expect((await profilesOf(t, "apart", "_helpdeskId", "h0"))[0]!.ProfileId).not.toBe(ann);
    expect((await t.profiles.send(new GetMatchesCommand({ DomainName: "apart" }))).Matches).toEqual([]);
  }, 60_000);

  it("ends PARTIAL_SUCCESS when a profile cannot be read, having matched and merged the others", async () => {
    await twoPeopleTwice("partial", { DayOfTheWeek: "SUNDAY", Time: "00:00" });
    await putObject(t, "partial", "crm", { id: "c9", first: "Cy", last: "Orr", email: "cy@example.com" });
    const broken = (await profilesOf(t, "partial", "_crmId", "c9"))[0]!.ProfileId!;
    // A stored row the job cannot read (what a bad write or a damaged page would leave).
    await t.server.database.db
      .updateTable("profiles")
      .set({ fields: "{not json" as never })
      .where("domain_name", "=", "partial")
      .where("profile_id", "=", broken)
      .execute();
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: "/domains/partial/identity-resolution-jobs",
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    const { JobId } = (await res.json()) as { JobId: string };
    const job = await waitFor(async () => {
      const j = await t.profiles.send(new GetIdentityResolutionJobCommand({ DomainName: "partial", JobId }));
      return ["COMPLETED", "PARTIAL_SUCCESS", "FAILED"].includes(j.Status ?? "") ? j : undefined;
    });
    expect(job.Status).toBe("PARTIAL_SUCCESS");
    expect(job.Message).toContain(`1 profile(s) could not be matched (${broken})`);
    expect(job.JobStats).toEqual({
      NumberOfProfilesReviewed: 4,
      NumberOfMatchesFound: 2,
      NumberOfMergesDone: 2,
    });
    // The job's matches are answered as a finished job's.
    const matches = await t.profiles.send(new GetMatchesCommand({ DomainName: "partial" }));
    expect(matches.MatchGenerationDate).toBeInstanceOf(Date);
  }, 60_000);
});
