import {
  AddProfileKeyCommand,
  BatchGetProfileCommand,
  CreateDomainCommand,
  CreateProfileCommand,
  DeleteProfileCommand,
  DeleteProfileKeyCommand,
  DeleteProfileObjectCommand,
  GetDomainCommand,
  GetProfileHistoryRecordCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  MergeProfilesCommand,
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  ResourceNotFoundException,
  SearchProfilesCommand,
  UpdateProfileCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { salesforceContact as contact } from "../helpers/salesforce-contact.ts";
import { signedGet } from "../helpers/signed-get.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describeEachDialect("profile operations through the SDK", (dialect) => {
  let t: TestServer;
  let n = 0;
  const newDomain = async () => {
    const DomainName = `prof-${++n}`;
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    return DomainName;
  };
  const put = (DomainName: string, ObjectTypeName: string, object: string) =>
    t.profiles.send(new PutProfileObjectCommand({ DomainName, ObjectTypeName, Object: object }));

  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it("creates, searches (normalized), updates, batch-gets and deletes profiles", async () => {
    const DomainName = await newDomain();
    const { ProfileId } = await t.profiles.send(
      new CreateProfileCommand({
        DomainName,
        FirstName: "Grace",
        LastName: "Hopper",
        EmailAddress: "Grace@Navy.mil",
        PhoneNumber: "+1 415 555 0100",
        Address: { City: "Arlington", Country: "US" },
        Attributes: { rank: "RADM" },
      }),
    );
    expect(ProfileId).toMatch(/^[a-f0-9]{32}$/);
    for (const [KeyName, value] of [
      ["_email", " grace@NAVY.mil"],
      ["_phone", "(415) 555-0100"],
      ["_fullName", "Grace Hopper"],
      ["_profileId", ProfileId!],
    ] as const) {
      const found = await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName, Values: [value] }),
      );
      expect(
        found.Items?.map((p) => p.ProfileId),
        KeyName,
      ).toEqual([ProfileId]);
    }
    await t.profiles.send(
      new UpdateProfileCommand({
        DomainName,
        ProfileId,
        LastName: "",
        BusinessName: "US Navy",
        Attributes: { rank: "" },
      }),
    );
    const other = (await t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "Alan" })))
      .ProfileId!;
    const missing = "0".repeat(32);
    const batch = await t.profiles.send(
      new BatchGetProfileCommand({ DomainName, ProfileIds: [ProfileId!, other, missing] }),
    );
    expect(batch.Profiles?.[0]).toMatchObject({
      FirstName: "Grace",
      BusinessName: "US Navy",
      Address: { City: "Arlington" },
    });
    expect(batch.Profiles?.[0]?.LastName).toBeUndefined();
    expect(batch.Profiles?.[0]?.Attributes?.rank).toBeUndefined();
    expect(batch.Profiles?.[1]?.ProfileId).toBe(other);
    expect(batch.Errors).toEqual([expect.objectContaining({ ProfileId: missing })]);
    await t.profiles.send(new DeleteProfileCommand({ DomainName, ProfileId }));
    const gone = await failure(t.profiles.send(new DeleteProfileCommand({ DomainName, ProfileId })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    const stats = (await t.profiles.send(new GetDomainCommand({ DomainName }))).Stats;
    expect(stats?.ProfileCount).toBe(1);
  });

  it("puts objects: a contact and its Marketo lead are one profile; objects list, filter, page and delete", async () => {
    const DomainName = await newDomain();
    const a = await put(DomainName, "Salesforce-Contact", contact("003A"));
    expect(a.ProfileObjectUniqueKey).toBe("003A");
    await put(DomainName, "Salesforce-Contact", contact("003B", { FirstName: "Bea" }));
    const lead = { id: "77", sfdcContactId: "003A", firstName: "Adeline", updatedAt: "2024-06-01T00:00:00Z" };
    await put(DomainName, "Marketo-leads", JSON.stringify(lead));
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003A"] }),
    );
    expect(found.Items).toHaveLength(1);
    const profile = found.Items![0]!;
    expect(profile).toMatchObject({
      FirstName: "Adeline",
      Attributes: { MarketoLeadId: "77", sfdcContactId: "003A" },
    });
    // The account id is searchable and shared: it finds both contacts, never joins them.
    const byAccount = await t.profiles.send(
      new SearchProfilesCommand({
        DomainName,
        KeyName: "_salesforceAccountId",
        Values: ["001ACME"],
        MaxResults: 1,
      }),
    );
    expect(byAccount.Items).toHaveLength(1);
    const next = await t.profiles.send(
      new SearchProfilesCommand({
        DomainName,
        KeyName: "_salesforceAccountId",
        Values: ["001ACME"],
        MaxResults: 1,
        NextToken: byAccount.NextToken,
      }),
    );
    expect(next.Items).toHaveLength(1);
    expect(next.Items![0]!.ProfileId).not.toBe(byAccount.Items![0]!.ProfileId);
    expect(next.NextToken).toBeUndefined();

    const listed = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName,
        ProfileId: profile.ProfileId,
        ObjectTypeName: "Marketo-leads",
      }),
    );
    expect(listed.Items).toEqual([
      { ObjectTypeName: "Marketo-leads", ProfileObjectUniqueKey: "77", Object: JSON.stringify(lead) },
    ]);
    const filtered = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName,
        ProfileId: profile.ProfileId,
        ObjectTypeName: "Salesforce-Contact",
        ObjectFilter: { KeyName: "_salesforceContactId", Values: ["003B"] },
      }),
    );
    expect(filtered.Items).toEqual([]);
    await t.profiles.send(
      new DeleteProfileObjectCommand({
        DomainName,
        ProfileId: profile.ProfileId,
        ObjectTypeName: "Marketo-leads",
        ProfileObjectUniqueKey: "77",
      }),
    );
    const after = await t.profiles.send(
      new BatchGetProfileCommand({ DomainName, ProfileIds: [profile.ProfileId!] }),
    );
    expect(after.Profiles?.[0]?.FirstName).toBe("Ada");
    const again = await failure(
      t.profiles.send(
        new DeleteProfileObjectCommand({
          DomainName,
          ProfileId: profile.ProfileId,
          ObjectTypeName: "Marketo-leads",
          ProfileObjectUniqueKey: "77",
        }),
      ),
    );
    expect(again).toBeInstanceOf(ResourceNotFoundException);
  });

  it("a custom _email PROFILE key joins differently formatted emails; AND/OR searches report FoundByItems", async () => {
    const DomainName = await newDomain();
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName,
        ObjectTypeName: "Signup",
        Description: "signups",
        AllowProfileCreation: true,
        Fields: {
          id: { Source: "_source.id", Target: "_profile.Attributes.signupId" },
          email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
          phone: { Source: "_source.phone", Target: "_profile.PhoneNumber", ContentType: "PHONE_NUMBER" },
        },
        Keys: {
          _signupId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
          _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
          _phone: [{ StandardIdentifiers: ["PROFILE", "SECONDARY"], FieldNames: ["phone"] }],
        },
      }),
    );
    await put(
      DomainName,
      "Signup",
      JSON.stringify({ id: "1", email: "Ada@Example.com", phone: "415.555.0134" }),
    );
    await put(DomainName, "Signup", JSON.stringify({ id: "2", email: " ada@example.COM " }));
    await put(DomainName, "Signup", JSON.stringify({ id: "3", phone: "+1 (415) 555-0134" }));
    await put(DomainName, "Signup", JSON.stringify({ id: "4", email: "bob@example.com" }));
    const and = await t.profiles.send(
      new SearchProfilesCommand({
        DomainName,
        KeyName: "_email",
        Values: ["ADA@example.com"],
        AdditionalSearchKeys: [{ KeyName: "_phone", Values: ["4155550134"] }],
        LogicalOperator: "AND",
      }),
    );
    expect(and.Items).toHaveLength(1);
    expect(and.Items![0]!.FoundByItems).toEqual([
      { KeyName: "_email", Values: ["ada@example.com"] },
      { KeyName: "_phone", Values: ["+14155550134"] },
    ]);
    const objects = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName,
        ProfileId: and.Items![0]!.ProfileId,
        ObjectTypeName: "Signup",
        MaxResults: 2,
      }),
    );
    expect(objects.Items?.map((o) => o.ProfileObjectUniqueKey)).toEqual(["1", "2"]);
    const rest = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName,
        ProfileId: and.Items![0]!.ProfileId,
        ObjectTypeName: "Signup",
        MaxResults: 2,
        NextToken: objects.NextToken,
      }),
    );
    expect(rest.Items?.map((o) => o.ProfileObjectUniqueKey)).toEqual(["3"]);
    const or = await t.profiles.send(
      new SearchProfilesCommand({
        DomainName,
        KeyName: "_email",
        Values: ["bob@example.com"],
        AdditionalSearchKeys: [{ KeyName: "_phone", Values: ["(415) 555-0134"] }],
      }),
    );
    expect(or.Items).toHaveLength(2);
  });

  it("adds and deletes profile keys, merges with FieldSourceProfileIds, and records history", async () => {
    const DomainName = await newDomain();
    const main = (
      await t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "Main", LastName: "One" }))
    ).ProfileId!;
    const dup = (
      await t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "Dup", BusinessName: "Acme" }))
    ).ProfileId!;
    await put(DomainName, "Salesforce-Contact", contact("003D"));
    const sf = (
      await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003D"] }),
      )
    ).Items![0]!.ProfileId!;
    const added = await t.profiles.send(
      new AddProfileKeyCommand({
        DomainName,
        ProfileId: dup,
        KeyName: "_email",
        Values: ["DUP@Example.com"],
      }),
    );
    expect(added).toMatchObject({ KeyName: "_email", Values: ["dup@example.com"] });
    await t.profiles.send(
      new AddProfileKeyCommand({ DomainName, ProfileId: dup, KeyName: "loyaltyId", Values: ["L-1", "L-2"] }),
    );
    await t.profiles.send(
      new DeleteProfileKeyCommand({ DomainName, ProfileId: dup, KeyName: "loyaltyId", Values: ["L-2"] }),
    );
    const byLoyalty = async (v: string) =>
      (await t.profiles.send(new SearchProfilesCommand({ DomainName, KeyName: "loyaltyId", Values: [v] })))
        .Items ?? [];
    expect((await byLoyalty("L-1")).map((p) => p.ProfileId)).toEqual([dup]);
    expect(await byLoyalty("L-2")).toEqual([]);

    await t.profiles.send(
      new MergeProfilesCommand({
        DomainName,
        MainProfileId: main,
        ProfileIdsToBeMerged: [dup, sf],
        FieldSourceProfileIds: { FirstName: dup, EmailAddress: sf },
      }),
    );
    const merged = (
      await t.profiles.send(new BatchGetProfileCommand({ DomainName, ProfileIds: [main, dup, sf] }))
    ).Profiles!;
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      ProfileId: main,
      FirstName: "Dup",
      LastName: "One",
      BusinessName: "Acme",
      EmailAddress: "003d@example.com",
    });
    expect((await byLoyalty("L-1")).map((p) => p.ProfileId)).toEqual([main]);
    const objects = await t.profiles.send(
      new ListProfileObjectsCommand({ DomainName, ProfileId: main, ObjectTypeName: "Salesforce-Contact" }),
    );
    expect(objects.Items).toHaveLength(1);

    const history = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName, ProfileId: main }),
    );
    expect(history.ProfileHistoryRecords?.map((r) => r.ActionType).sort()).toEqual(["CREATED", "MERGED"]);
    const mergedRecord = history.ProfileHistoryRecords!.find((r) => r.ActionType === "MERGED")!;
    expect(mergedRecord.CreatedAt).toBeInstanceOf(Date);
    const detail = await t.profiles.send(
      new GetProfileHistoryRecordCommand({ DomainName, ProfileId: main, Id: mergedRecord.Id }),
    );
    expect(JSON.parse(detail.Content!).MergedProfileIds).toEqual([dup, sf]);
    const onePage = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName, ProfileId: main, MaxResults: 1 }),
    );
    expect(onePage.ProfileHistoryRecords).toHaveLength(1);
    expect(onePage.NextToken).toBeDefined();
    const missing = await failure(
      t.profiles.send(new GetProfileHistoryRecordCommand({ DomainName, ProfileId: main, Id: "nope" })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("ingestion history says which object and key changed the profile", async () => {
    const DomainName = await newDomain();
    await put(DomainName, "Salesforce-Contact", contact("003H"));
    await put(
      DomainName,
      "Marketo-leads",
      JSON.stringify({ id: "5", sfdcContactId: "003H", lastName: "Byron" }),
    );
    const id = (
      await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003H"] }),
      )
    ).Items![0]!.ProfileId!;
    const records = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName, ProfileId: id, ObjectTypeName: "Marketo-leads" }),
    );
    expect(records.ProfileHistoryRecords).toHaveLength(1);
    const r = records.ProfileHistoryRecords![0]!;
    expect(r).toMatchObject({
      ActionType: "INGESTED",
      ProfileObjectUniqueKey: "5",
      PerformedBy: t.credentials.accessKeyId,
    });
    const content = JSON.parse(
      (await t.profiles.send(new GetProfileHistoryRecordCommand({ DomainName, ProfileId: id, Id: r.Id })))
        .Content!,
    );
    expect(content).toMatchObject({
      MatchedBy: { KeyName: "_salesforceContactId", Value: "003H" },
      ChangedFields: expect.arrayContaining(["LastName", "Attributes.MarketoLeadId"]),
    });
  });

  it("dead-letters an object no profile matches when creation is off, and lists it (extension)", async () => {
    const DomainName = await newDomain();
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName,
        ObjectTypeName: "Ticket",
        Description: "tickets",
        AllowProfileCreation: false,
        Fields: {
          id: { Source: "_source.id" },
          email: { Source: "_source.email", ContentType: "EMAIL_ADDRESS" },
        },
        Keys: {
          _ticketId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
          _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
        },
      }),
    );
    const out = await put(DomainName, "Ticket", JSON.stringify({ id: "T-1", email: "nobody@example.com" }));
    expect(out.ProfileObjectUniqueKey).toBe("T-1");
    await put(DomainName, "Ticket", JSON.stringify({ id: "T-2", email: "nobody2@example.com" }));
    const list = async (query: Record<string, string>) => {
      const res = await signedGet(t, `/domains/${DomainName}/dead-letters`, query);
      expect(res.status).toBe(200);
      return (await res.json()) as { Items: Record<string, unknown>[]; NextToken?: string };
    };
    const first = await list({ "max-results": "1" });
    expect(first.Items).toHaveLength(1);
    expect(first.Items[0]).toMatchObject({ ObjectTypeName: "Ticket", ReasonCode: "NO_MATCHING_PROFILE" });
    const second = await list({ "max-results": "1", "next-token": first.NextToken! });
    expect(second.Items).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect([first.Items[0]!.ProfileObjectUniqueKey, second.Items[0]!.ProfileObjectUniqueKey].sort()).toEqual([
      "T-1",
      "T-2",
    ]);
  });

  it("8 concurrent SDK writers putting the same new people produce exactly one profile each", async () => {
    const DomainName = await newDomain();
    const people = ["a", "b", "c", "d", "e"];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const order = w % 2 ? [...people].reverse() : people;
        for (const p of order) {
          const lead = {
            id: `${p}-${w}`,
            sfdcContactId: `003${p}`,
            email: `${p}@x.com`,
            updatedAt: "2024-01-01T00:00:00Z",
          };
          await put(DomainName, "Marketo-leads", JSON.stringify(lead));
        }
      }),
    );
    for (const p of people) {
      const found = await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: [`003${p}`] }),
      );
      expect(found.Items, p).toHaveLength(1);
    }
    expect((await t.profiles.send(new GetDomainCommand({ DomainName }))).Stats?.ProfileCount).toBe(
      people.length,
    );
  });

  it("each typed exception: unknown domain, profile and object type → ResourceNotFoundException", async () => {
    const DomainName = await newDomain();
    const noDomain = await failure(
      t.profiles.send(new CreateProfileCommand({ DomainName: "no-such-domain" })),
    );
    expect(noDomain).toBeInstanceOf(ResourceNotFoundException);
    const noProfile = await failure(
      t.profiles.send(new UpdateProfileCommand({ DomainName, ProfileId: "a".repeat(32), FirstName: "x" })),
    );
    expect(noProfile).toBeInstanceOf(ResourceNotFoundException);
    const noType = await failure(put(DomainName, "NoSuchType", "{}"));
    expect(noType).toBeInstanceOf(ResourceNotFoundException);
  });
});
