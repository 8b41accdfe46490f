import {
  AddProfileKeyCommand,
  BadRequestException,
  BatchGetProfileCommand,
  CreateDomainCommand,
  CreateProfileCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  MergeProfilesCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
  UpdateProfileCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

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
        t.profiles.send(
          new SearchProfilesCommand({
            DomainName,
            KeyName: "_email",
            Values: ["a@b.c"],
            AdditionalSearchKeys: Array.from({ length: 5 }, () => ({ KeyName: "_phone", Values: ["1"] })),
          }),
        ),
    ],
    [
      "LogicalOperator enum",
      "LogicalOperator",
      () =>
        t.profiles.send(
          new SearchProfilesCommand({
            DomainName,
            KeyName: "_email",
            Values: ["a"],
            LogicalOperator: "XOR" as "AND",
          }),
        ),
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
