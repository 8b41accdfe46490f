import {
  BadRequestException,
  CreateDomainCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describeEachDialect("PutProfileObjectType validation through the SDK", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    await t.profiles.send(new CreateDomainCommand({ DomainName: "shop", DefaultExpirationDays: 365 }));
    // An existing type and tag, so "nothing written" also means "nothing changed".
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "shop",
        ObjectTypeName: "Bad",
        Description: "kept",
        Tags: { a: "b" },
      }),
    );
  });
  afterAll(async () => t?.close());

  /** Every row of every table, to prove that a refused call wrote nothing. */
  const snapshot = () => snapshotStore(t.server.database);

  it("each invalid member is a BadRequestException naming it, and nothing is written", async () => {
    const base = { DomainName: "shop", ObjectTypeName: "Bad", Description: "bad" };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, Description: undefined }, "Description"],
      [{ ...base, Description: "d".repeat(1001) }, "Description"],
      [{ ...base, ObjectTypeName: "9starts-with-digit" }, "ObjectTypeName"],
      [{ ...base, ObjectTypeName: "_reserved" }, "ObjectTypeName"],
      [{ ...base, ExpirationDays: 0 }, "ExpirationDays"],
      [{ ...base, ExpirationDays: 1099 }, "ExpirationDays"],
      [{ ...base, MaxProfileObjectCount: 0 }, "MaxProfileObjectCount"],
      [{ ...base, SourcePriority: 0 }, "SourcePriority"],
      [{ ...base, EncryptionKey: "k".repeat(256) }, "EncryptionKey"],
      [{ ...base, TemplateId: "No-Such-Template" }, "TemplateId"],
      [{ ...base, TemplateId: "bad id" }, "TemplateId"],
      [
        { ...base, Fields: { Email: { Source: "_source.e", ContentType: "EMAIL" } } },
        "Fields.Email.ContentType",
      ],
      [{ ...base, Fields: { "bad name!": { Source: "_source.e" } } }, "Fields"],
      [{ ...base, Fields: { e: { Source: "_source.e", Target: "_nowhere.X" } } }, "Fields.e.Target"],
      [
        {
          ...base,
          Fields: { e: { Source: "_source.e" } },
          Keys: { _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["missing"] }] },
        },
        "Keys._email[0].FieldNames[0]",
      ],
      [
        {
          ...base,
          Fields: { e: { Source: "_source.e" } },
          Keys: { _email: [{ StandardIdentifiers: ["NOPE"], FieldNames: ["e"] }] },
        },
        "Keys._email[0].StandardIdentifiers[0]",
      ],
      [
        { ...base, Fields: { sourceLastUpdatedTimestamp: { Source: "_source.u" } } },
        "SourceLastUpdatedTimestampFormat",
      ],
      [{ ...base, Tags: { "aws:x": "y" } }, "Tags"],
    ];
    const before = await snapshot();
    for (const [input, member] of cases) {
      const e = await failure(t.profiles.send(new PutProfileObjectTypeCommand(input as never)));
      expect(e, member).toBeInstanceOf(BadRequestException);
      expect(e.message, member).toContain(member);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("TemplateId together with Fields, Keys, AllowProfileCreation or the timestamp format is a BadRequestException", async () => {
    const before = await snapshot();
    for (const extra of [
      { Fields: { id: { Source: "_source.Id" } } },
      { Keys: { _id: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }] } },
      { AllowProfileCreation: true },
      { SourceLastUpdatedTimestampFormat: "yyyy" },
    ]) {
      const e = await failure(
        t.profiles.send(
          new PutProfileObjectTypeCommand({
            DomainName: "shop",
            ObjectTypeName: "Mixed",
            Description: "template and fields",
            TemplateId: "Salesforce-Account",
            ...(extra as object),
          }),
        ),
      );
      expect(e).toBeInstanceOf(BadRequestException);
      expect(e.message).toContain("TemplateId");
    }
    expect(await snapshot()).toEqual(before);
  });
});
