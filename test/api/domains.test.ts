import {
  BadRequestException,
  CreateDomainCommand,
  CreateProfileCommand,
  DeleteDomainCommand,
  GetDomainCommand,
  ListTagsForResourceCommand,
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { failure } from "../helpers/failure.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const arnOf = (name: string) => `arn:aws:profile:us-east-1:000000000000:domains/${name}`;
const kmsArn =
  /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect("Customer Profiles domains through the SDK", (dialect) => {
  let t: TestServer;
  // Whole seconds so epoch-second timestamps compare exactly; near now so SigV4 skew checks pass.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    t = await startTestServer(dialect, { clock });
  });
  afterAll(async () => t?.close());

  /** Every row of every table, to prove that a refused call wrote nothing. */
  const snapshot = () => snapshotStore(t.server.database);

  it("CreateDomain echoes its settings and generates a KMS-style key ARN once, kept by GetDomain", async () => {
    const created = await t.profiles.send(
      new CreateDomainCommand({
        DomainName: "retail",
        DefaultExpirationDays: 366,
        DeadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/dlq",
        // Matching is stored and echoed as given (ML matching itself: test/api/matching-ml.test.ts).
        Matching: {
          Enabled: false,
          JobSchedule: { DayOfTheWeek: "MONDAY", Time: "3:30" },
          AutoMerging: {
            Enabled: true,
            Consolidation: { MatchingAttributesList: [["EmailAddress"], ["FirstName", "LastName"]] },
            ConflictResolution: { ConflictResolvingModel: "SOURCE", SourceName: "Salesforce-Contact" },
            MinAllowedConfidenceScoreForMerging: 0.8,
          },
          ExportingConfig: { S3Exporting: { S3BucketName: "matches.bucket", S3KeyName: "out/" } },
        },
        RuleBasedMatching: {
          Enabled: true,
          MatchingRules: [{ Rule: ["EmailAddress"] }, { Rule: ["FirstName", "LastName", "Address"] }],
          MaxAllowedRuleLevelForMerging: 1,
          MaxAllowedRuleLevelForMatching: 2,
          AttributeTypesSelector: { AttributeMatchingModel: "ONE_TO_ONE", EmailAddress: ["EmailAddress"] },
        },
        DataStore: { Enabled: true },
        Tags: { env: "test", team: "cx" },
      }),
    );
    expect(created).toMatchObject({
      DomainName: "retail",
      DefaultExpirationDays: 366,
      DeadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/dlq",
      Matching: {
        Enabled: false,
        JobSchedule: { DayOfTheWeek: "MONDAY", Time: "3:30" },
        AutoMerging: { MinAllowedConfidenceScoreForMerging: 0.8 },
      },
      RuleBasedMatching: { Enabled: true, MaxAllowedRuleLevelForMatching: 2, Status: "ACTIVE" },
      DataStore: { Enabled: true },
      Tags: { env: "test", team: "cx" },
    });
    expect(created.DefaultEncryptionKey).toMatch(kmsArn);
    expect(created.CreatedAt).toEqual(new Date(clock.now()));
    expect(created.LastUpdatedAt).toEqual(new Date(clock.now()));

    const got = await t.profiles.send(new GetDomainCommand({ DomainName: "retail" }));
    expect(got.DefaultEncryptionKey).toBe(created.DefaultEncryptionKey);
    expect(got.Matching).toEqual(created.Matching);
    expect(got.RuleBasedMatching).toEqual(created.RuleBasedMatching);
    expect(got.Stats).toEqual({ ProfileCount: 0, MeteringProfileCount: 0, ObjectCount: 0, TotalSize: 0 });
    expect(got.Tags).toEqual({ env: "test", team: "cx" });
  });

  it("a given DefaultEncryptionKey is kept; UpdateDomain with '' falls back to the domain's generated key", async () => {
    const key = (await t.server.kms.createKey({ description: "given" })).arn;
    const created = await t.profiles.send(
      new CreateDomainCommand({ DomainName: "keyed", DefaultExpirationDays: 30, DefaultEncryptionKey: key }),
    );
    expect(created.DefaultEncryptionKey).toBe(key);
    const cleared = await t.profiles.send(
      new UpdateDomainCommand({ DomainName: "keyed", DefaultEncryptionKey: "" }),
    );
    expect(cleared.DefaultEncryptionKey).toMatch(kmsArn);
    const again = await t.profiles.send(new GetDomainCommand({ DomainName: "keyed" }));
    expect(again.DefaultEncryptionKey).toBe(cleared.DefaultEncryptionKey);
  });

  it("UpdateDomain changes only what it is given and moves LastUpdatedAt", async () => {
    const before = await t.profiles.send(new GetDomainCommand({ DomainName: "retail" }));
    clock.advance(5000);
    const updated = await t.profiles.send(
      new UpdateDomainCommand({
        DomainName: "retail",
        DefaultExpirationDays: 10,
        DeadLetterQueueUrl: "",
        Tags: { team: "support" },
      }),
    );
    expect(updated.DefaultExpirationDays).toBe(10);
    expect(updated.DeadLetterQueueUrl).toBeUndefined();
    expect(updated.Matching).toEqual(before.Matching);
    expect(updated.DefaultEncryptionKey).toBe(before.DefaultEncryptionKey);
    expect(updated.CreatedAt).toEqual(before.CreatedAt);
    expect(updated.LastUpdatedAt).toEqual(new Date(clock.now()));
    expect(updated.Tags).toEqual({ env: "test", team: "support" });
    const got = await t.profiles.send(new GetDomainCommand({ DomainName: "retail" }));
    expect(got.DefaultExpirationDays).toBe(10);
  });

  it("on the wire: epoch-second numbers; malformed JSON and non-object bodies are BadRequestException", async () => {
    const send = (method: string, path: string, body?: string) =>
      signedFetch(t.endpoint, {
        method,
        path,
        credentials: t.credentials,
        ...(body === undefined ? {} : { body }),
      });
    const got = await send("GET", "/domains/retail");
    expect(got.status).toBe(200);
    const json = (await got.json()) as Record<string, unknown>;
    // Updated by the previous test at the clock's current time.
    expect(json["LastUpdatedAt"]).toBe(clock.now() / 1000);
    expect(typeof json["CreatedAt"]).toBe("number");

    const before = await snapshot();
    for (const [method, path, body] of [
      ["POST", "/domains/wire", '{"DefaultExpirationDays": 3,'],
      ["POST", "/domains/wire", "[1, 2]"],
      ["PUT", "/domains/retail/object-types/Wire", '["Description"]'],
      ["PUT", "/domains/retail/object-types/Wire", "{nope"],
    ] as const) {
      const res = await send(method, path, body);
      expect(res.status, body).toBe(400);
      expect(res.headers.get("x-amzn-errortype"), body).toBe("BadRequestException");
      expect(((await res.json()) as { Message: string }).Message, body).toBeTruthy();
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a duplicate CreateDomain is a BadRequestException and changes nothing", async () => {
    const before = await snapshot();
    const e = await failure(
      t.profiles.send(
        new CreateDomainCommand({ DomainName: "retail", DefaultExpirationDays: 1, Tags: { x: "y" } }),
      ),
    );
    expect(e).toBeInstanceOf(BadRequestException);
    expect(e.message).toMatch(/retail/);
    expect(await snapshot()).toEqual(before);
  });

  it("eight racing CreateDomain calls of one name: exactly one succeeds, the others are BadRequestException", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        t.profiles.send(new CreateDomainCommand({ DomainName: "raced", DefaultExpirationDays: 7 })),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(BadRequestException);
    }
    await t.profiles.send(new DeleteDomainCommand({ DomainName: "raced" }));
  });

  it("unknown domains are ResourceNotFoundException for Get, Update and Delete", async () => {
    for (const call of [
      () => t.profiles.send(new GetDomainCommand({ DomainName: "nope" })),
      () => t.profiles.send(new UpdateDomainCommand({ DomainName: "nope", DefaultExpirationDays: 3 })),
      () => t.profiles.send(new DeleteDomainCommand({ DomainName: "nope" })),
    ]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.$metadata?.httpStatusCode).toBe(404);
    }
  });

  it("each invalid member is a BadRequestException naming it, and nothing is written", async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ DomainName: "bad.name", DefaultExpirationDays: 1 }, "DomainName"],
      [{ DomainName: "x".repeat(65), DefaultExpirationDays: 1 }, "DomainName"],
      [{ DomainName: "fresh" }, "DefaultExpirationDays"],
      [{ DomainName: "fresh", DefaultExpirationDays: 0 }, "DefaultExpirationDays"],
      [{ DomainName: "fresh", DefaultExpirationDays: 1099 }, "DefaultExpirationDays"],
      [
        { DomainName: "fresh", DefaultExpirationDays: 1, DefaultEncryptionKey: "k".repeat(256) },
        "DefaultEncryptionKey",
      ],
      [
        { DomainName: "fresh", DefaultExpirationDays: 1, DeadLetterQueueUrl: "u".repeat(256) },
        "DeadLetterQueueUrl",
      ],
      [
        {
          DomainName: "fresh",
          DefaultExpirationDays: 1,
          Matching: { Enabled: true, JobSchedule: { DayOfTheWeek: "MONDAY", Time: "25:00" } },
        },
        "Matching.JobSchedule.Time",
      ],
      [
        {
          DomainName: "fresh",
          DefaultExpirationDays: 1,
          Matching: { Enabled: true, JobSchedule: { DayOfTheWeek: "FUNDAY", Time: "1:00" } },
        },
        "Matching.JobSchedule.DayOfTheWeek",
      ],
      [
        {
          DomainName: "fresh",
          DefaultExpirationDays: 1,
          Matching: {
            Enabled: true,
            AutoMerging: { Enabled: true, MinAllowedConfidenceScoreForMerging: 1.5 },
          },
        },
        "Matching.AutoMerging.MinAllowedConfidenceScoreForMerging",
      ],
      [
        {
          DomainName: "fresh",
          DefaultExpirationDays: 1,
          RuleBasedMatching: { Enabled: true, MaxAllowedRuleLevelForMerging: 16 },
        },
        "RuleBasedMatching.MaxAllowedRuleLevelForMerging",
      ],
      [
        {
          DomainName: "fresh",
          DefaultExpirationDays: 1,
          RuleBasedMatching: { Enabled: true, MatchingRules: [] },
        },
        "RuleBasedMatching.MatchingRules",
      ],
      [{ DomainName: "fresh", DefaultExpirationDays: 1, Tags: { "aws:reserved": "x" } }, "Tags"],
    ];
    for (const [input, member] of cases) {
      const e = await failure(t.profiles.send(new CreateDomainCommand(input as never)));
      expect(e, member).toBeInstanceOf(BadRequestException);
      expect(e.message, member).toContain(member);
    }
    const update = await failure(
      t.profiles.send(
        new UpdateDomainCommand({ DomainName: "retail", DefaultExpirationDays: 2000, Tags: { a: "b" } }),
      ),
    );
    expect(update).toBeInstanceOf(BadRequestException);
    expect(update.message).toContain("DefaultExpirationDays");
    expect(await snapshot()).toEqual(before);
  });

  it("tags a domain ARN through TagResource / UntagResource / ListTagsForResource", async () => {
    const arn = arnOf("keyed");
    await t.profiles.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: "ops", tier: "gold" } }));
    await t.profiles.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["tier"] }));
    expect((await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      owner: "ops",
    });
    expect((await t.profiles.send(new GetDomainCommand({ DomainName: "keyed" }))).Tags).toEqual({
      owner: "ops",
    });
    const missing = await failure(
      t.profiles.send(new ListTagsForResourceCommand({ resourceArn: arnOf("absent") })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("DeleteDomain removes the domain, its object types and every tag under it; the name is free again", async () => {
    await t.profiles.send(
      new CreateDomainCommand({ DomainName: "doomed", DefaultExpirationDays: 5, Tags: { keep: "no" } }),
    );
    // A domain whose name matches "doomed" as a LIKE pattern keeps its tags.
    await t.profiles.send(
      new CreateDomainCommand({ DomainName: "doomed_x", DefaultExpirationDays: 5, Tags: { keep: "yes" } }),
    );
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "doomed",
        ObjectTypeName: "Thing",
        Description: "a thing",
        Fields: { id: { Source: "_source.id", Target: "_profile.AccountNumber" } },
        Keys: { _thingId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["id"] }] },
        Tags: { kind: "thing" },
      }),
    );
    const out = await t.profiles.send(new DeleteDomainCommand({ DomainName: "doomed" }));
    expect(out.Message).toMatch(/doomed/);
    expect(await failure(t.profiles.send(new GetDomainCommand({ DomainName: "doomed" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    const db = t.server.database.db;
    expect(
      await db.selectFrom("object_types").selectAll().where("domain_name", "=", "doomed").execute(),
    ).toEqual([]);
    const tagRows = await db.selectFrom("resource_tags").select("resource_arn").execute();
    expect(
      tagRows.filter(
        (r) => r.resource_arn.startsWith(arnOf("doomed/")) || r.resource_arn === arnOf("doomed"),
      ),
    ).toEqual([]);
    expect((await t.profiles.send(new GetDomainCommand({ DomainName: "doomed_x" }))).Tags).toEqual({
      keep: "yes",
    });
    expect(await failure(t.profiles.send(new DeleteDomainCommand({ DomainName: "doomed" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );

    const again = await t.profiles.send(
      new CreateDomainCommand({ DomainName: "doomed", DefaultExpirationDays: 5 }),
    );
    expect(again.Tags).toEqual({});
  });

  it("GetDomain Stats count the domain's profiles and objects; DeleteDomain takes them along", async () => {
    await t.profiles.send(new CreateProfileCommand({ DomainName: "keyed", FirstName: "Ada" }));
    await t.profiles.send(
      new PutProfileObjectCommand({
        DomainName: "keyed",
        ObjectTypeName: "Zendesk-users",
        Object: JSON.stringify({ id: 7, email: "ada@example.com", name: "Ada" }),
      }),
    );
    const got = await t.profiles.send(new GetDomainCommand({ DomainName: "keyed" }));
    expect(got.Stats?.ProfileCount).toBe(2);
    expect(got.Stats?.MeteringProfileCount).toBe(2);
    expect(got.Stats?.ObjectCount).toBe(1);
    expect(got.Stats?.TotalSize).toBeGreaterThan(0);
    await t.profiles.send(new DeleteDomainCommand({ DomainName: "keyed" }));
    expect(await failure(t.profiles.send(new GetDomainCommand({ DomainName: "keyed" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    const db = t.server.database.db;
    for (const table of ["profiles", "profile_objects", "profile_keys", "object_types"] as const) {
      expect(await db.selectFrom(table).selectAll().where("domain_name", "=", "keyed").execute()).toEqual([]);
    }
  });
});
