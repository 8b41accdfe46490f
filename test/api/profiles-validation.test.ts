import {
  AddProfileKeyCommand,
  BadRequestException,
  BatchGetProfileCommand,
  CreateDomainCommand,
  CreateProfileCommand,
  DeleteProfileKeyCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  MergeProfilesCommand,
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  SearchProfilesCommand,
  type SearchProfilesCommandInput,
  TagResourceCommand,
  UpdateProfileCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** 100 + n distinct values: one past our cap of 100 Values when n is 1. */
const hundredAnd = (n: number, base: string) => Array.from({ length: 100 + n }, (_, i) => `${i}${base}`);

const TABLES = [
  "profiles",
  "profile_objects",
  "profile_keys",
  "profile_key_types",
  "profile_history",
  "profile_dead_letters",
] as const;

describeEachDialect("profile operations refuse bad input, naming the member", (dialect) => {
  let t: TestServer;
  const DomainName = "bad-input";
  let ProfileId: string;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
    ProfileId = (await t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "Ada" })))
      .ProfileId!;
  });
  afterAll(async () => t?.close());

  const snapshot = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const r = await t.server.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      out[table] = Number(r.n);
    }
    return out;
  };

  /** SearchProfiles by `_email` in the domain; `more` replaces or adds members. */
  const search = (more: Partial<SearchProfilesCommandInput>) =>
    t.profiles.send(new SearchProfilesCommand({ DomainName, KeyName: "_email", Values: ["a@b.c"], ...more }));

  const cases: [string, string, () => Promise<unknown>][] = [
    [
      "Object is not JSON",
      "Object",
      () =>
        t.profiles.send(
          new PutProfileObjectCommand({ DomainName, ObjectTypeName: "Salesforce-Contact", Object: "{nope" }),
        ),
    ],
    [
      "Object is a JSON array",
      "Object",
      () =>
        t.profiles.send(
          new PutProfileObjectCommand({ DomainName, ObjectTypeName: "Salesforce-Contact", Object: "[1]" }),
        ),
    ],
    [
      "Object over 256,000 characters",
      "Object",
      () =>
        t.profiles.send(
          new PutProfileObjectCommand({
            DomainName,
            ObjectTypeName: "Salesforce-Contact",
            Object: JSON.stringify({ Id: "003X", pad: "x".repeat(256_000) }),
          }),
        ),
    ],
    [
      "ObjectTypeName pattern",
      "ObjectTypeName",
      () =>
        t.profiles.send(
          new PutProfileObjectCommand({ DomainName, ObjectTypeName: "9bad type", Object: "{}" }),
        ),
    ],
    [
      "ProfileId pattern",
      "ProfileId",
      () => t.profiles.send(new UpdateProfileCommand({ DomainName, ProfileId: "NOT-HEX", FirstName: "x" })),
    ],
    [
      "FirstName over 255",
      "FirstName",
      () => t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "x".repeat(256) })),
    ],
    [
      "empty address part on create",
      "Address.City",
      () => t.profiles.send(new CreateProfileCommand({ DomainName, Address: { City: "" } })),
    ],
    [
      "PartyType enum",
      "PartyType",
      () => t.profiles.send(new CreateProfileCommand({ DomainName, PartyType: "ALIEN" as "OTHER" })),
    ],
    [
      "AdditionalSearchKeys over 4",
      "AdditionalSearchKeys",
      () =>
        search({
          AdditionalSearchKeys: Array.from({ length: 5 }, () => ({ KeyName: "_phone", Values: ["1"] })),
        }),
    ],
    [
      "LogicalOperator enum",
      "LogicalOperator",
      () => search({ Values: ["a"], LogicalOperator: "XOR" as "AND" }),
    ],
    [
      "KeyName pattern",
      "KeyName",
      () =>
        t.profiles.send(
          new AddProfileKeyCommand({ DomainName, ProfileId, KeyName: "bad key!", Values: ["v"] }),
        ),
    ],
    [
      "a Values item over 255",
      "Values.0",
      () =>
        t.profiles.send(
          new AddProfileKeyCommand({ DomainName, ProfileId, KeyName: "k", Values: ["v".repeat(256)] }),
        ),
    ],
    [
      "MaxResults over 100",
      "MaxResults",
      () =>
        t.profiles.send(
          new ListProfileObjectsCommand({
            DomainName,
            ProfileId,
            ObjectTypeName: "Salesforce-Contact",
            MaxResults: 101,
          }),
        ),
    ],
    [
      "NextToken not ours",
      "NextToken",
      () =>
        t.profiles.send(
          new ListProfileHistoryRecordsCommand({ DomainName, ProfileId, NextToken: "garbage" }),
        ),
    ],
    [
      "ProfileIds over 20",
      "ProfileIds",
      () =>
        t.profiles.send(
          new BatchGetProfileCommand({ DomainName, ProfileIds: Array.from({ length: 21 }, () => ProfileId) }),
        ),
    ],
    [
      "ProfileIdsToBeMerged contains the main profile",
      "ProfileIdsToBeMerged",
      () =>
        t.profiles.send(
          new MergeProfilesCommand({
            DomainName,
            MainProfileId: ProfileId,
            ProfileIdsToBeMerged: [ProfileId],
          }),
        ),
    ],
    // List caps: AWS's modelled maximum where there is one, else our documented cap (docs/api.md, Limits).
    [
      "Values over 100 (our cap: AWS models none)",
      "Values must have at most 100 members (has 101)",
      () => search({ Values: hundredAnd(1, "a@b.c") }),
    ],
    [
      // Past SQLite's 32,766 bound variables: was a 500 "too many SQL variables".
      "40,000 Values",
      "Values must have at most 100 members (has 40000)",
      () => search({ Values: Array.from({ length: 40_000 }, (_, i) => `${i}@b.c`) }),
    ],
    [
      "an AdditionalSearchKey's Values over 100",
      "AdditionalSearchKeys.0.Values must have at most 100 members",
      () => search({ AdditionalSearchKeys: [{ KeyName: "_phone", Values: hundredAnd(1, "1") }] }),
    ],
    [
      "AddProfileKey Values over 100",
      "Values must have at most 100 members",
      () =>
        t.profiles.send(
          new AddProfileKeyCommand({ DomainName, ProfileId, KeyName: "k", Values: hundredAnd(1, "v") }),
        ),
    ],
    [
      "DeleteProfileKey Values over 100",
      "Values must have at most 100 members",
      () =>
        t.profiles.send(
          new DeleteProfileKeyCommand({ DomainName, ProfileId, KeyName: "k", Values: hundredAnd(1, "v") }),
        ),
    ],
    [
      "ObjectFilter Values over 100",
      "ObjectFilter.Values must have at most 100 members",
      () =>
        t.profiles.send(
          new ListProfileObjectsCommand({
            DomainName,
            ProfileId,
            ObjectTypeName: "Salesforce-Contact",
            ObjectFilter: { KeyName: "_email", Values: hundredAnd(1, "a@b.c") },
          }),
        ),
    ],
    [
      "ProfileIdsToBeMerged over 20",
      "ProfileIdsToBeMerged must have at most 20 members (has 21)",
      () =>
        t.profiles.send(
          new MergeProfilesCommand({
            DomainName,
            MainProfileId: ProfileId,
            ProfileIdsToBeMerged: Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(32, "0")),
          }),
        ),
    ],
    [
      "Attributes over 1,000 entries (our cap)",
      "Attributes must have at most 1000 entries (has 1001)",
      () =>
        t.profiles.send(
          new CreateProfileCommand({
            DomainName,
            Attributes: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`a${i}`, "x"])),
          }),
        ),
    ],
    [
      "an Attributes key over 255",
      "Attributes must have keys at most 255 characters long (one is 256)",
      () => t.profiles.send(new CreateProfileCommand({ DomainName, Attributes: { ["k".repeat(256)]: "x" } })),
    ],
    [
      "Keys over AWS's 10 per object type",
      "Keys must have at most 10 entries (has 11)",
      () =>
        t.profiles.send(
          new PutProfileObjectTypeCommand({
            DomainName,
            ObjectTypeName: "ManyKeys",
            Description: "too many keys",
            Fields: { id: { Source: "_source.id", Target: "_profile.AccountNumber" } },
            Keys: Object.fromEntries(
              Array.from({ length: 11 }, (_, i) => [
                `_k${i}`,
                [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["id"] }],
              ]),
            ),
          }),
        ),
    ],
    [
      "tags over 50",
      "tags must have at most 50 entries (has 51)",
      () =>
        t.profiles.send(
          new TagResourceCommand({
            resourceArn: `arn:aws:profile:us-east-1:123456789012:domains/${DomainName}`,
            tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])),
          }),
        ),
    ],
  ];

  for (const [title, member, call] of cases) {
    it(`${title} → BadRequestException naming ${member}, nothing written`, async () => {
      const before = await snapshot();
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as Error).message).toContain(member);
      expect(await snapshot()).toEqual(before);
    });
  }
});
