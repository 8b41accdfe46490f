import {
  CreateDomainCommand,
  GetMatchesCommand,
  GetSimilarProfilesCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

describeEachDialect("GetMatches answers groups of profiles, as AWS does", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  const profileOf = async (domain: string, key: string, value: string) =>
    (await profilesOf(t, domain, key, value))[0]!.ProfileId!;

  it("one MatchId holds every profile of one person; GetSimilarProfiles answers that group", async () => {
    const D = "groups";
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 30 }));
    await crmAndHelpdesk(t, D);
    // 30 people in the crm only; Ann as a crm contact, as a helpdesk user giving her email, and as
    // another helpdesk user giving only her phone (no name); Bo as a contact and a helpdesk user.
    for (let i = 0; i < 30; i++)
      await putObject(t, D, "crm", {
        id: `x${i}`,
        first: `F${i}`,
        last: `L${i}`,
        email: `p${i}@example.com`,
        phone: `555-300-${String(1000 + i)}`,
      });
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
    await putObject(t, D, "crm", { id: "bo", first: "Bo", last: "Nash", email: "bo@nash.example" });
    await putObject(t, D, "helpdesk", { id: "bo-mail", first: "Bo", last: "Nash", email: "bo@nash.example" });
    const ann = [
      await profileOf(D, "_crmId", "ann"),
      await profileOf(D, "_helpdeskId", "ann-mail"),
      await profileOf(D, "_helpdeskId", "ann-phone"),
    ];
    const bo = [await profileOf(D, "_crmId", "bo"), await profileOf(D, "_helpdeskId", "bo-mail")];

    await t.profiles.send(
      new UpdateDomainCommand({
        DomainName: D,
        Matching: { Enabled: true, AutoMerging: { Enabled: false } },
      }),
    );
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${D}/identity-resolution-jobs`,
      credentials: t.credentials,
    });
    expect(res.status).toBe(200);
    const matches = await waitFor(async () => {
      const m = await t.profiles.send(new GetMatchesCommand({ DomainName: D }));
      return m.MatchGenerationDate ? m : undefined;
    });
    expect(matches.PotentialMatches).toBe(2);
    expect(matches.Matches).toHaveLength(2);
    const byPerson = (ids: string[]) => matches.Matches!.find((m) => m.ProfileIds!.includes(ids[0]!))!;
    // Ann's three records are one match, not three pairs; the contact that links them comes first.
    expect([...byPerson(ann).ProfileIds!].sort()).toEqual([...ann].sort());
    expect([...byPerson(bo).ProfileIds!].sort()).toEqual([...bo].sort());
    for (const m of matches.Matches!) {
      expect(m.MatchId).toMatch(/^[0-9a-f]{32}$/);
      expect(m.ConfidenceScore).toBeGreaterThanOrEqual(0.5);
      expect(m.ConfidenceScore).toBeLessThanOrEqual(1);
    }
    // Paged one group at a time, the same groups.
    const first = await t.profiles.send(new GetMatchesCommand({ DomainName: D, MaxResults: 1 }));
    expect(first.NextToken).toBeDefined();
    const second = await t.profiles.send(
      new GetMatchesCommand({ DomainName: D, MaxResults: 1, NextToken: first.NextToken }),
    );
    expect(second.NextToken).toBeUndefined();
    expect([first.Matches![0]!.MatchId, second.Matches![0]!.MatchId].sort()).toEqual(
      matches.Matches!.map((m) => m.MatchId).sort(),
    );

    // The phone-only record's similar profiles: its group, itself first.
    const similar = await t.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: D,
        MatchType: "ML_BASED_MATCHING",
        SearchKey: "_helpdeskId",
        SearchValue: "ann-phone",
      }),
    );
    expect(similar.ProfileIds![0]).toBe(ann[2]);
    expect([...similar.ProfileIds!].sort()).toEqual([...ann].sort());
    expect(similar.MatchId).toBe(byPerson(ann).MatchId);
    expect(similar.ConfidenceScore).toBe(byPerson(ann).ConfidenceScore);
  }, 60_000);
});
