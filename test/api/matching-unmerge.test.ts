import {
  AddProfileKeyCommand,
  CreateDomainCommand,
  GetProfileHistoryRecordCommand,
  ListProfileHistoryRecordsCommand,
  MergeProfilesCommand,
  UpdateProfileCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** UnmergeProfiles against rule-based matching: what an unmerge separates stays apart and loses nothing. */
describeEachDialect("matching and unmerge", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => t?.close());

  /** Two sources with no shared key (crm, helpdesk) and a manual-style `loyalty` key. */
  const setup = async (D: string) => {
    await t.profiles.send(
      new CreateDomainCommand({
        DomainName: D,
        DefaultExpirationDays: 30,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    await crmAndHelpdesk(t, D, () => ({
      loyalty: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["id"] }],
    }));
  };
  const put = (D: string, type: string, o: Record<string, string>) => putObject(t, D, type, o);
  const search = (D: string, key: string, value: string) => profilesOf(t, D, key, value);
  const profileOf = async (D: string, key: string, value: string) =>
    (await search(D, key, value))[0]!.ProfileId!;
  const lastMergeIdOf = async (D: string, profileId: string) => {
    const list = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName: D, ProfileId: profileId, ActionType: "MERGED" }),
    );
    const r = await t.profiles.send(
      new GetProfileHistoryRecordCommand({
        DomainName: D,
        ProfileId: profileId,
        Id: list.ProfileHistoryRecords!.at(-1)!.Id!,
      }),
    );
    return (JSON.parse(r.Content!) as { MergeId: string }).MergeId;
  };
  const unmerge = async (D: string, MergeId: string) =>
    (
      await signedFetch(t.endpoint, {
        method: "POST",
        path: `/domains/${D}/profiles/unmerge`,
        body: JSON.stringify({ MergeId }),
        credentials: t.credentials,
      })
    ).status;

  it("a held names-only match recorded later does not erase the UNMERGED record of the pair", async () => {
    const D = "erase";
    await setup(D);
    await put(D, "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee",
      email: "ann@lee.example",
      phone: "555-201-3344",
    });
    await put(D, "helpdesk", { id: "h1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    const a = await profileOf(D, "_crmId", "c1");
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(a);
    expect(await unmerge(D, await lastMergeIdOf(D, a))).toBe(200);
    const b = await profileOf(D, "_helpdeskId", "h1");
    expect(b).not.toBe(a);
    await put(D, "helpdesk", { id: "h1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(b);
    // A third record: same phone as c1 (joins A), same name as h1 (a names-only match of A and B, held).
    await put(D, "crm", {
      id: "c2",
      first: "Ann",
      last: "Lee",
      email: "ann@work.example",
      phone: "555-201-3344",
    });
    expect(await profileOf(D, "_crmId", "c2")).toBe(a);
    // h1 sent again, unchanged: the pair is still apart.
    await put(D, "helpdesk", { id: "h1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(b);
  });

  it("a pair separated by UnmergeProfiles is not joined again through a third, older profile", async () => {
    const D = "chain";
    await setup(D);
    await put(D, "helpdesk", { id: "h0", email: "someone@else.example" }); // O: the oldest, nameless
    await put(D, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    const a = await profileOf(D, "_crmId", "c1");
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(a);
    expect(await unmerge(D, await lastMergeIdOf(D, a))).toBe(200);
    expect(await profileOf(D, "_helpdeskId", "h1")).not.toBe(a);
    // O's record now carries the same email; then both other records are sent again.
    await put(D, "helpdesk", { id: "h0", email: "ann@lee.example" });
    await put(D, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    expect(await profileOf(D, "_crmId", "c1")).not.toBe(await profileOf(D, "_helpdeskId", "h1"));
  });

  it("a pair kept apart stays apart when MergeProfiles joins one side into another profile", async () => {
    const D = "byhand";
    await setup(D);
    await put(D, "crm", { id: "c9", first: "Ann", last: "Lee", email: "ann@old.example" }); // X
    await put(D, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    const a = await profileOf(D, "_crmId", "c1");
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(a);
    expect(await unmerge(D, await lastMergeIdOf(D, a))).toBe(200);
    const x = await profileOf(D, "_crmId", "c9");
    await t.profiles.send(
      new MergeProfilesCommand({ DomainName: D, MainProfileId: x, ProfileIdsToBeMerged: [a] }),
    );
    expect(await profileOf(D, "_crmId", "c1")).toBe(x);
    // X now carries c1's email, which h1 shares: X took A's place, so h1 stays apart from it.
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    expect(await profileOf(D, "_helpdeskId", "h1")).not.toBe(x);
  });

  it("after an unmerge of three profiles, no two of them are joined again", async () => {
    const D = "three";
    await setup(D);
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    await put(D, "helpdesk", { id: "h2", phone: "555-201-3344" });
    expect(await profileOf(D, "_helpdeskId", "h1")).not.toBe(await profileOf(D, "_helpdeskId", "h2"));
    // c1 carries h1's email and h2's phone: one merge joins all three.
    await put(D, "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee",
      email: "ann@lee.example",
      phone: "555-201-3344",
    });
    const main = await profileOf(D, "_crmId", "c1");
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(main);
    expect(await profileOf(D, "_helpdeskId", "h2")).toBe(main);
    expect(await unmerge(D, await lastMergeIdOf(D, main))).toBe(200);
    // Now every two of them match: h2 takes the email too.
    await put(D, "helpdesk", { id: "h2", email: "ann@lee.example", phone: "555-201-3344" });
    await put(D, "crm", {
      id: "c1",
      first: "Ann",
      last: "Lee",
      email: "ann@lee.example",
      phone: "555-201-3344",
    });
    await put(D, "helpdesk", { id: "h1", email: "ann@lee.example" });
    const ids = [
      await profileOf(D, "_crmId", "c1"),
      await profileOf(D, "_helpdeskId", "h1"),
      await profileOf(D, "_helpdeskId", "h2"),
    ];
    expect(new Set(ids).size).toBe(3);
  });

  it("unmerge keeps the main profile's own manual key when the merged one had the same", async () => {
    const D = "mk";
    await setup(D);
    await put(D, "crm", { id: "c1", first: "Ann", email: "x@one.example" });
    await put(D, "helpdesk", { id: "h1", email: "y@two.example" });
    const a = await profileOf(D, "_crmId", "c1");
    const b = await profileOf(D, "_helpdeskId", "h1");
    expect(a).not.toBe(b);
    for (const p of [a, b])
      await t.profiles.send(
        new AddProfileKeyCommand({ DomainName: D, ProfileId: p, KeyName: "loyalty", Values: ["L-7"] }),
      );
    await put(D, "helpdesk", { id: "h1", email: "x@one.example" }); // now they match by email
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(a);
    expect(await unmerge(D, await lastMergeIdOf(D, a))).toBe(200);
    expect((await search(D, "loyalty", "L-7")).map((p) => p.ProfileId).sort()).toEqual([a, b].sort());
  });

  it("an UpdateProfile made on the main profile after a merge survives UnmergeProfiles", async () => {
    const D = "edit";
    await setup(D);
    await put(D, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    await put(D, "helpdesk", { id: "h1", email: "ANN@lee.example", birth: "1990-01-02" });
    const main = await profileOf(D, "_crmId", "c1");
    expect(await profileOf(D, "_helpdeskId", "h1")).toBe(main);
    await t.profiles.send(
      new UpdateProfileCommand({ DomainName: D, ProfileId: main, AccountNumber: "ACC-42" }),
    );
    expect((await search(D, "_crmId", "c1"))[0]!.AccountNumber).toBe("ACC-42");
    expect(await unmerge(D, await lastMergeIdOf(D, main))).toBe(200);
    expect((await search(D, "_crmId", "c1"))[0]!.AccountNumber).toBe("ACC-42");
  });
});
