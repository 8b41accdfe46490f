import {
  CreateDomainCommand,
  DeleteProfileCommand,
  GetSimilarProfilesCommand,
  ListRuleBasedMatchesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** A recorded match counts only while both its profiles exist (src/profiles/matching/live-matches.ts). */
describeEachDialect("a match whose profile is gone is no longer listed", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  it("ListRuleBasedMatches and GetSimilarProfiles drop a match once one of its profiles is deleted", async () => {
    const D = "gone";
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: D,
        DefaultExpirationDays: 30,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    await crmAndHelpdesk(t, D);
    // Same name, nothing else in common: listed as a match, never merged.
    await putObject(t, D, "crm", { id: "c3", first: "Carl", last: "Diaz", email: "carl@one.example" });
    await putObject(t, D, "helpdesk", { id: "h3", first: "Carl", last: "Diaz", email: "cdiaz@two.example" });
    const carl = (await profilesOf(t, D, "_crmId", "c3"))[0]!.ProfileId!;
    const namesake = (await profilesOf(t, D, "_helpdeskId", "h3"))[0]!.ProfileId!;
    const similar = () =>
      t.profiles.send(
        new GetSimilarProfilesCommand({
          DomainName: D,
          MatchType: "RULE_BASED_MATCHING",
          SearchKey: "_crmId",
          SearchValue: "c3",
        }),
      );
    const before = await similar();
    expect(before.ProfileIds).toEqual([carl, namesake]);
    const listed = await t.profiles.send(new ListRuleBasedMatchesCommand({ DomainName: D }));
    expect(listed.MatchIds).toContain(before.MatchId);

    await t.profiles.send(new DeleteProfileCommand({ DomainName: D, ProfileId: namesake }));
    expect((await similar()).ProfileIds ?? []).toEqual([]);
    const after = await t.profiles.send(new ListRuleBasedMatchesCommand({ DomainName: D }));
    expect(after.MatchIds ?? []).not.toContain(before.MatchId);
  });
});
