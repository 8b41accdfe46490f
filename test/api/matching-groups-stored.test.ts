import {
  CreateDomainCommand,
  GetMatchesCommand,
  type MatchItem,
  MergeProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

describeEachDialect("GetMatches pages the groups stored when the job finished", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  const profileOf = async (domain: string, key: string, value: string) =>
    (await profilesOf(t, domain, key, value))[0]!.ProfileId!;

  /** Every page of GetMatches at `max` a page: the pages' matches, each page's length, PotentialMatches. */
  const allPages = async (domain: string, max: number) => {
    const pages: MatchItem[][] = [];
    const totals: number[] = [];
    let token: string | undefined;
    do {
      const page = await t.profiles.send(
        new GetMatchesCommand({ DomainName: domain, MaxResults: max, NextToken: token }),
      );
      pages.push(page.Matches ?? []);
      totals.push(page.PotentialMatches ?? -1);
      token = page.NextToken;
    } while (token);
    return { matches: pages.flat(), lengths: pages.map((p) => p.length), totals };
  };

  it("a profile merged away after the job drops out of its group, and paging still returns every other group once, in order", async () => {
    const D = "stored-groups";
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: D,
        DefaultExpirationDays: 30,
        Matching: { Enabled: true, AutoMerging: { Enabled: false } },
      }),
    );
    await crmAndHelpdesk(t, D);
    // 30 people in the crm only; 8 people as a crm contact and a helpdesk user each (email in another
    // case, phone in another format); Ann as a contact and two helpdesk users (email only, phone only).
    for (let i = 0; i < 30; i++)
      await putObject(t, D, "crm", {
        id: `x${i}`,
        first: `F${i}`,
        last: `L${i}`,
        email: `p${i}@example.com`,
        phone: `555-300-${String(1000 + i)}`,
      });
    for (let i = 0; i < 8; i++) {
      const person = { first: `Pat${i}`, last: `Quinn${i}` };
      await putObject(t, D, "crm", {
        id: `c${i}`,
        ...person,
        email: `pat${i}@quinn.example`,
        phone: `(555) 401-${String(2000 + i)}`,
      });
      await putObject(t, D, "helpdesk", {
        id: `h${i}`,
        ...person,
        email: `PAT${i}@quinn.example`,
        phone: `+1 555 401 ${String(2000 + i)}`,
      });
    }
    await putObject(t, D, "crm", {
      id: "ann",
      first: "Ann",
      last: "Lee",
      email: "ann@lee.example",
      phone: "(555) 201-3344",
    });
    await putObject(t, D, "helpdesk", {
      id: "ann-mail",
      first: "Ann",
      last: "Lee",
      email: "ANN@lee.example",
    });
    await putObject(t, D, "helpdesk", { id: "ann-phone", phone: "+1 555 201 3344" });
    const ann = {
      crm: await profileOf(D, "_crmId", "ann"),
      mail: await profileOf(D, "_helpdeskId", "ann-mail"),
      phone: await profileOf(D, "_helpdeskId", "ann-phone"),
    };
    const pair0 = [await profileOf(D, "_crmId", "c0"), await profileOf(D, "_helpdeskId", "h0")];

    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${D}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const m = await t.profiles.send(new GetMatchesCommand({ DomainName: D }));
      return m.MatchGenerationDate ? m : undefined;
    });
    const before = await allPages(D, 100);
    expect(before.matches).toHaveLength(9);
    expect(before.totals).toEqual([9]);
    // GetMatches' order: best group first, then by MatchId.
    const order = (ms: MatchItem[]) =>
      [...ms].sort((x, y) => y.ConfidenceScore! - x.ConfidenceScore! || (x.MatchId! < y.MatchId! ? -1 : 1));
    expect(before.matches).toEqual(order(before.matches));
    const groupOf = (ms: MatchItem[], id: string) => ms.find((m) => m.ProfileIds!.includes(id));
    const annGroup = groupOf(before.matches, ann.crm)!;
    expect([...annGroup.ProfileIds!].sort()).toEqual([ann.crm, ann.mail, ann.phone].sort());
    const pairGroup = groupOf(before.matches, pair0[0]!)!;
    expect([...pairGroup.ProfileIds!].sort()).toEqual([...pair0].sort());

    // After the job: one pair merged into one profile, and Ann's phone-only record merged into her contact.
    await t.profiles.send(
      new MergeProfilesCommand({
        DomainName: D,
        MainProfileId: pair0[0]!,
        ProfileIdsToBeMerged: [pair0[1]!],
      }),
    );
    await t.profiles.send(
      new MergeProfilesCommand({ DomainName: D, MainProfileId: ann.crm, ProfileIdsToBeMerged: [ann.phone] }),
    );

    // Paged two at a time: every group but the merged pair, exactly once, in the same order; Ann's group
    // without the merged-away profile, under the MatchId and score the job gave it; every page full.
    const after = await allPages(D, 2);
    const expected = before.matches
      .filter((m) => m.MatchId !== pairGroup.MatchId)
      .map((m) =>
        m.MatchId === annGroup.MatchId
          ? { ...m, ProfileIds: m.ProfileIds!.filter((id) => id !== ann.phone) }
          : m,
      );
    expect(after.matches).toEqual(expected);
    expect(new Set(after.matches.map((m) => m.MatchId)).size).toBe(8);
    expect(after.lengths).toEqual([2, 2, 2, 2]);
    expect(groupOf(after.matches, pair0[0]!)).toBeUndefined();
    expect(groupOf(after.matches, ann.crm)!.ProfileIds).toHaveLength(2);
    // PotentialMatches is the number of groups when the job finished, not recounted per request.
    expect(new Set(after.totals)).toEqual(new Set([9]));

    // Merging away one more of Ann's two leaves her group a single profile: skipped, and the page that
    // held it is filled from the next groups.
    await t.profiles.send(
      new MergeProfilesCommand({ DomainName: D, MainProfileId: ann.crm, ProfileIdsToBeMerged: [ann.mail] }),
    );
    const last = await allPages(D, 3);
    expect(last.matches).toEqual(expected.filter((m) => m.MatchId !== annGroup.MatchId));
    expect(last.lengths).toEqual([3, 3, 1]);

    // A token of GetMatches' list whose page key is not one is refused, as any other token.
    const forged = Buffer.from(JSON.stringify({ l: "GetMatches", a: "0.9:not-a-match-id" })).toString(
      "base64url",
    );
    await expect(
      t.profiles.send(new GetMatchesCommand({ DomainName: D, NextToken: forged })),
    ).rejects.toMatchObject({ name: "BadRequestException" });
    // A well-formed token of a job whose groups are not kept (not the latest or the previous finished
    // job) is refused, saying why.
    const stale = Buffer.from(
      JSON.stringify({ l: "GetMatches", a: `${"0".repeat(32)}:0.9:${"a".repeat(32)}` }),
    ).toString("base64url");
    await expect(
      t.profiles.send(new GetMatchesCommand({ DomainName: D, NextToken: stale })),
    ).rejects.toMatchObject({
      name: "BadRequestException",
      message: expect.stringContaining("start again without NextToken"),
    });
  }, 120_000);

  it("pages through groups tied at one score at any page size, each group once, in order", async () => {
    const D = "stored-groups-ties";
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: D,
        DefaultExpirationDays: 30,
        Matching: { Enabled: true, AutoMerging: { Enabled: false } },
      }),
    );
    await crmAndHelpdesk(t, D);
    // 14 people as a crm contact and a helpdesk user each, every pair alike (same score); 20 alone.
    for (let i = 0; i < 20; i++)
      await putObject(t, D, "crm", {
        id: `x${i}`,
        first: `F${i}`,
        last: `L${i}`,
        email: `p${i}@example.com`,
        phone: `555-300-${String(1000 + i)}`,
      });
    for (let i = 0; i < 14; i++) {
      const person = { first: `Pat${i}`, last: `Quinn${i}` };
      await putObject(t, D, "crm", {
        id: `c${i}`,
        ...person,
        email: `pat${i}@quinn.example`,
        phone: `(555) 401-${String(2000 + i)}`,
      });
      await putObject(t, D, "helpdesk", {
        id: `h${i}`,
        ...person,
        email: `PAT${i}@quinn.example`,
        phone: `+1 555 401 ${String(2000 + i)}`,
      });
    }
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${D}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const m = await t.profiles.send(new GetMatchesCommand({ DomainName: D }));
      return m.MatchGenerationDate ? m : undefined;
    });
    const whole = await allPages(D, 100);
    const byScore = new Map<number, number>();
    for (const m of whole.matches)
      byScore.set(m.ConfidenceScore!, (byScore.get(m.ConfidenceScore!) ?? 0) + 1);
    expect(Math.max(...byScore.values())).toBeGreaterThanOrEqual(10);
    for (const max of [1, 3, 7]) {
      const paged = await allPages(D, max);
      expect(paged.matches).toEqual(whole.matches);
      expect(paged.lengths.slice(0, -1).every((n) => n === max)).toBe(true);
    }
  }, 120_000);
});
