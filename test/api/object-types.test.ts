import {
  BadRequestException,
  CreateDomainCommand,
  DeleteProfileObjectTypeCommand,
  GetProfileObjectTypeCommand,
  GetProfileObjectTypeTemplateCommand,
  ListProfileObjectTypesCommand,
  ListProfileObjectTypeTemplatesCommand,
  ListTagsForResourceCommand,
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  type PutProfileObjectTypeCommandInput,
  ResourceNotFoundException,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { listTemplates } from "../../src/ingest/index.ts";
import { failure } from "../helpers/failure.ts";
import { snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const typeArn = (domain: string, name: string) =>
  `arn:aws:profile:us-east-1:000000000000:domains/${domain}/object-types/${name}`;

/** A custom object type that keys people by email and identifies objects by their id. */
const loyalty: PutProfileObjectTypeCommandInput = {
  DomainName: "shop",
  ObjectTypeName: "Loyalty",
  Description: "Loyalty members",
  ExpirationDays: 90,
  EncryptionKey: "arn:aws:kms:us-east-1:000000000000:key/loyalty",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
  MaxProfileObjectCount: 5,
  SourcePriority: 2,
  Fields: {
    memberId: { Source: "_source.id", Target: "_profile.Attributes.loyaltyId", ContentType: "STRING" },
    email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
    sourceLastUpdatedTimestamp: { Source: "_source.updated" },
  },
  Keys: {
    _loyaltyId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["memberId"] }],
    _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
  },
  Tags: { owner: "crm" },
};

describeEachDialect("Customer Profiles object types and templates through the SDK", (dialect) => {
  let t: TestServer;
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    t = await startTestServer(dialect, { clock });
    await t.profiles.send(new CreateDomainCommand({ DomainName: "shop", DefaultExpirationDays: 365 }));
  });
  afterAll(async () => t?.close());

  /** Every row of every table, to prove that a refused call wrote nothing. */
  const snapshot = () => snapshotStore(t.server.database);

  it("PutProfileObjectType creates a custom type and Get returns it as put", async () => {
    const put = await t.profiles.send(new PutProfileObjectTypeCommand(loyalty));
    const { DomainName: _d, ...expected } = loyalty;
    expect(put).toMatchObject({ ...expected, MaxAvailableProfileObjectCount: 1000 });
    expect(put.CreatedAt).toEqual(new Date(clock.now()));
    const got = await t.profiles.send(
      new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Loyalty" }),
    );
    expect(got).toMatchObject(expected);
    expect(got.TemplateId).toBeUndefined();
    expect(
      (await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: typeArn("shop", "Loyalty") })))
        .tags,
    ).toEqual({
      owner: "crm",
    });
  });

  it("a second Put replaces the definition, keeps CreatedAt and moves LastUpdatedAt", async () => {
    const created = await t.profiles.send(
      new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Loyalty" }),
    );
    clock.advance(3000);
    const put = await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "shop",
        ObjectTypeName: "Loyalty",
        Description: "Loyalty members, v2",
        Fields: { memberId: { Source: "_source.id", Target: "_profile.Attributes.loyaltyId" } },
        Keys: { _loyaltyId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["memberId"] }] },
      }),
    );
    expect(put.Description).toBe("Loyalty members, v2");
    expect(Object.keys(put.Fields ?? {})).toEqual(["memberId"]);
    expect(put.AllowProfileCreation).toBe(false);
    expect(put.ExpirationDays).toBeUndefined();
    expect(put.CreatedAt).toEqual(created.CreatedAt);
    expect(put.LastUpdatedAt).toEqual(new Date(clock.now()));
  });

  it("TemplateId expands the template's Fields, Keys, AllowProfileCreation and timestamp format", async () => {
    const template = await t.profiles.send(
      new GetProfileObjectTypeTemplateCommand({ TemplateId: "Salesforce-Contact" }),
    );
    const put = await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "shop",
        ObjectTypeName: "Contacts",
        Description: "Salesforce contacts",
        TemplateId: "Salesforce-Contact",
        ExpirationDays: 30,
      }),
    );
    expect(put.TemplateId).toBe("Salesforce-Contact");
    expect(put.Fields).toEqual(template.Fields);
    expect(put.Keys).toEqual(template.Keys);
    expect(put.AllowProfileCreation).toBe(template.AllowProfileCreation);
    expect(put.SourceLastUpdatedTimestampFormat).toBe(template.SourceLastUpdatedTimestampFormat);
    expect(put.ExpirationDays).toBe(30);
    // The store hands the engine the same expanded definition.
    const def = await t.server.objectTypes.get("shop", "Contacts");
    expect(def?.Keys).toEqual(template.Keys);
  });

  it("a template name works without being defined (implicit), and can be deleted without effect", async () => {
    const template = await t.profiles.send(
      new GetProfileObjectTypeTemplateCommand({ TemplateId: "Zendesk-users" }),
    );
    const got = await t.profiles.send(
      new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Zendesk-users" }),
    );
    expect(got).toMatchObject({
      ObjectTypeName: "Zendesk-users",
      TemplateId: "Zendesk-users",
      Fields: template.Fields,
      Keys: template.Keys,
    });
    const engineView = await t.server.objectTypes.get("shop", "Zendesk-users");
    expect(engineView?.AllowProfileCreation).toBe(template.AllowProfileCreation);
    expect(await t.server.objectTypes.get("no-such-domain", "Zendesk-users")).toBeUndefined();
    expect(await t.server.objectTypes.get("shop", "NotAType")).toBeUndefined();

    const listed = await t.profiles.send(new ListProfileObjectTypesCommand({ DomainName: "shop" }));
    expect(listed.Items?.map((i) => i.ObjectTypeName)).not.toContain("Zendesk-users");
    // First use stores it, so it is listed, as AWS lists implicit types in use.
    await t.server.objectTypes.ensureImplicit("shop", "Zendesk-users");
    await t.server.objectTypes.ensureImplicit("shop", "Zendesk-users"); // idempotent
    await t.server.objectTypes.ensureImplicit("no-such-domain", "Zendesk-users"); // no-op, no FK error
    await t.server.objectTypes.ensureImplicit("shop", "NotATemplate"); // no-op
    const after = await t.profiles.send(new ListProfileObjectTypesCommand({ DomainName: "shop" }));
    expect(after.Items?.map((i) => i.ObjectTypeName)).toContain("Zendesk-users");

    await t.profiles.send(
      new DeleteProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Zendesk-users" }),
    );
    const gone = await t.profiles.send(new ListProfileObjectTypesCommand({ DomainName: "shop" }));
    expect(gone.Items?.map((i) => i.ObjectTypeName)).not.toContain("Zendesk-users");
    expect(
      (
        await t.profiles.send(
          new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Zendesk-users" }),
        )
      ).TemplateId,
    ).toBe("Zendesk-users");
  });

  it("PutProfileObject stores a template type on first use, and again after it was deleted", async () => {
    const names = async () =>
      (await t.profiles.send(new ListProfileObjectTypesCommand({ DomainName: "shop" }))).Items?.map(
        (i) => i.ObjectTypeName,
      );
    const put = (id: number) =>
      t.profiles.send(
        new PutProfileObjectCommand({
          DomainName: "shop",
          ObjectTypeName: "Zendesk-users",
          Object: JSON.stringify({ id, email: `user${id}@example.com`, updated_at: "2026-01-02T03:04:05Z" }),
        }),
      );
    expect(await names()).not.toContain("Zendesk-users");
    await put(901);
    expect(await names()).toContain("Zendesk-users");
    await put(902); // read from its stored row now: nothing to store
    expect(await names()).toContain("Zendesk-users");
    await t.profiles.send(
      new DeleteProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Zendesk-users" }),
    );
    expect(await names()).not.toContain("Zendesk-users");
    await put(903);
    expect(await names()).toContain("Zendesk-users");
  });

  it("a stored type is parsed once per definition: reads share one frozen definition until the type is put again", async () => {
    const points: PutProfileObjectTypeCommandInput = {
      DomainName: "shop",
      ObjectTypeName: "Points",
      Description: "Points",
      AllowProfileCreation: true,
      Fields: {
        id: { Source: "_source.id", Target: "_profile.Attributes.pointsId", ContentType: "STRING" },
        tier: { Source: "_source.tier", Target: "_profile.Attributes.tierBefore", ContentType: "STRING" },
      },
      Keys: { _pointsId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["id"] }] },
    };
    await t.profiles.send(new PutProfileObjectTypeCommand(points));
    const first = await t.server.objectTypes.get("shop", "Points");
    expect(await t.server.objectTypes.get("shop", "Points")).toBe(first);
    expect(
      Object.isFrozen(first) && Object.isFrozen(first?.Fields) && Object.isFrozen(first?.Fields?.["tier"]),
    ).toBe(true);
    expect(() => {
      (first!.Fields!["tier"] as { Target: string }).Target = "_profile.Attributes.changed";
    }).toThrow(TypeError);
    const attributes = async (id: string) => {
      const found = await t.profiles.send(
        new SearchProfilesCommand({ DomainName: "shop", KeyName: "_pointsId", Values: [id] }),
      );
      return found.Items?.[0]?.Attributes;
    };
    const putPoints = (id: string) =>
      t.profiles.send(
        new PutProfileObjectCommand({
          DomainName: "shop",
          ObjectTypeName: "Points",
          Object: JSON.stringify({ id, tier: "gold" }),
        }),
      );
    await putPoints("p1");
    expect(await attributes("p1")).toEqual({ pointsId: "p1", tierBefore: "gold" });

    // Put again with another target: the next read is a new definition, and the next object follows it.
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        ...points,
        Fields: {
          ...points.Fields,
          tier: { Source: "_source.tier", Target: "_profile.Attributes.tierAfter", ContentType: "STRING" },
        },
      }),
    );
    const second = await t.server.objectTypes.get("shop", "Points");
    expect(second).not.toBe(first);
    expect(second?.Fields?.["tier"]?.Target).toBe("_profile.Attributes.tierAfter");
    await putPoints("p2");
    expect(await attributes("p2")).toEqual({ pointsId: "p2", tierAfter: "gold" });
  });

  it("unknown domains, types and templates are ResourceNotFoundException", async () => {
    for (const call of [
      () => t.profiles.send(new PutProfileObjectTypeCommand({ ...loyalty, DomainName: "absent" })),
      () =>
        t.profiles.send(new GetProfileObjectTypeCommand({ DomainName: "absent", ObjectTypeName: "Loyalty" })),
      () =>
        t.profiles.send(new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Nothing" })),
      () => t.profiles.send(new ListProfileObjectTypesCommand({ DomainName: "absent" })),
      () =>
        t.profiles.send(
          new DeleteProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Nothing" }),
        ),
      () =>
        t.profiles.send(
          new DeleteProfileObjectTypeCommand({ DomainName: "absent", ObjectTypeName: "Loyalty" }),
        ),
      () => t.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: "Salesforce-Nothing" })),
    ]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.$metadata?.httpStatusCode).toBe(404);
    }
  });

  it("ListProfileObjectTypes pages through every type once, with list items and a domain-bound token", async () => {
    await t.profiles.send(new CreateDomainCommand({ DomainName: "paged", DefaultExpirationDays: 1 }));
    const names = ["T1", "T2", "T3", "T4", "T5"];
    for (const n of names) {
      await t.profiles.send(
        new PutProfileObjectTypeCommand({
          DomainName: "paged",
          ObjectTypeName: n,
          Description: `type ${n}`,
          MaxProfileObjectCount: 10,
          SourcePriority: 3,
          Tags: { n },
        }),
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.profiles.send(
        new ListProfileObjectTypesCommand({ DomainName: "paged", MaxResults: 2, NextToken: token }),
      );
      for (const item of page.Items ?? []) {
        seen.push(item.ObjectTypeName!);
        expect(item).toMatchObject({
          Description: `type ${item.ObjectTypeName}`,
          MaxProfileObjectCount: 10,
          MaxAvailableProfileObjectCount: 1000,
          Tags: { n: item.ObjectTypeName },
        });
        expect(item.CreatedAt).toBeInstanceOf(Date);
      }
      if (pages === 0) {
        // A token of one domain's list is refused by another domain's list.
        const e = await failure(
          t.profiles.send(
            new ListProfileObjectTypesCommand({ DomainName: "shop", NextToken: page.NextToken }),
          ),
        );
        expect(e).toBeInstanceOf(BadRequestException);
        expect(e.message).toContain("NextToken");
      }
      token = page.NextToken;
      pages++;
    } while (token);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it("DeleteProfileObjectType removes the type and its tags; a deleted type is not found", async () => {
    const out = await t.profiles.send(
      new DeleteProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Loyalty" }),
    );
    expect(out.Message).toMatch(/Loyalty/);
    const e = await failure(
      t.profiles.send(new GetProfileObjectTypeCommand({ DomainName: "shop", ObjectTypeName: "Loyalty" })),
    );
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    const tags = await t.server.database.db
      .selectFrom("resource_tags")
      .selectAll()
      .where("resource_arn", "=", typeArn("shop", "Loyalty"))
      .execute();
    expect(tags).toEqual([]);
    const missing = await failure(
      t.profiles.send(new ListTagsForResourceCommand({ resourceArn: typeArn("shop", "Loyalty") })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("eight concurrent Puts of one new type all succeed and leave one type", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.profiles.send(
          new PutProfileObjectTypeCommand({
            DomainName: "shop",
            ObjectTypeName: "Raced",
            Description: `writer ${i}`,
          }),
        ),
      ),
    );
    expect(results).toHaveLength(8);
    const rows = await t.server.database.db
      .selectFrom("object_types")
      .select("definition")
      .where("domain_name", "=", "shop")
      .where("object_type_name", "=", "Raced")
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("a domain holds at most 100 object types; the 101st is a BadRequestException, replacing one is fine", async () => {
    await t.profiles.send(new CreateDomainCommand({ DomainName: "full", DefaultExpirationDays: 1 }));
    for (let i = 0; i < 100; i++) {
      await t.server.objectTypes.put("full", { ObjectTypeName: `T${i}`, Description: "filler" });
    }
    const before = await snapshot();
    const e = await failure(
      t.profiles.send(
        new PutProfileObjectTypeCommand({
          DomainName: "full",
          ObjectTypeName: "OneTooMany",
          Description: "x",
        }),
      ),
    );
    expect(e).toBeInstanceOf(BadRequestException);
    expect(await snapshot()).toEqual(before);
    const replaced = await t.profiles.send(
      new PutProfileObjectTypeCommand({ DomainName: "full", ObjectTypeName: "T7", Description: "replaced" }),
    );
    expect(replaced.Description).toBe("replaced");
  });

  it("ListProfileObjectTypeTemplates pages through the nine templates; Get returns each in full", async () => {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.profiles.send(
        new ListProfileObjectTypeTemplatesCommand({ MaxResults: 4, NextToken: token }),
      );
      for (const item of page.Items ?? []) {
        ids.push(item.TemplateId!);
        expect(item.SourceName).toBeTruthy();
        expect(item.SourceObject).toBeTruthy();
      }
      token = page.NextToken;
    } while (token);
    expect(ids).toEqual([
      "Salesforce-Account",
      "Salesforce-Contact",
      "Salesforce-Asset",
      "Zendesk-users",
      "Zendesk-tickets",
      "Servicenow-sys_user",
      "Servicenow-task",
      "Servicenow-incident",
      "Marketo-leads",
    ]);
    for (const template of listTemplates()) {
      const got = await t.profiles.send(
        new GetProfileObjectTypeTemplateCommand({ TemplateId: template.TemplateId }),
      );
      const { $metadata: _m, ...body } = got;
      expect(body).toEqual(JSON.parse(JSON.stringify(template)));
    }
  });
});
