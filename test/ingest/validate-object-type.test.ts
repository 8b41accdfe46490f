import { describe, expect, it } from "vitest";
import { isProfileflowError } from "../../src/core/errors.ts";
import { validateObjectType } from "../../src/ingest/validate-object-type.ts";

const base = { ObjectTypeName: "Ticket", Description: "support tickets" };
const custom = {
  ...base,
  AllowProfileCreation: true,
  Fields: {
    Email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
    TicketId: { Source: "_source.id", Target: "_case.CaseId" },
  },
  Keys: {
    _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["Email"] }],
    _ticketId: [{ StandardIdentifiers: ["CASE", "UNIQUE"], FieldNames: ["TicketId"] }],
  },
};

/** The member a validation failure names; fails the test when nothing (or something else) is thrown. */
function memberOf(input: unknown): string {
  try {
    validateObjectType(input);
  } catch (e) {
    if (isProfileflowError(e, "VALIDATION_FAILED")) return String(e.details?.["member"]);
    throw e;
  }
  throw new Error("expected VALIDATION_FAILED");
}

describe("validateObjectType", () => {
  it("returns a valid custom definition typed and unchanged", () => {
    expect(validateObjectType(custom)).toEqual(custom);
  });

  it("accepts a template reference without Fields or Keys", () => {
    const def = validateObjectType({ ...base, TemplateId: "Salesforce-Contact", ExpirationDays: 365 });
    expect(def).toEqual({ ...base, TemplateId: "Salesforce-Contact", ExpirationDays: 365 });
  });

  it("names the member of each model constraint", () => {
    const cases: Array<[unknown, string]> = [
      [{ Description: "d" }, "ObjectTypeName"],
      [{ ...base, ObjectTypeName: "9lives" }, "ObjectTypeName"],
      [{ ...base, ObjectTypeName: "a".repeat(256) }, "ObjectTypeName"],
      [{ ...base, ObjectTypeName: "_profile" }, "ObjectTypeName"],
      [{ ObjectTypeName: "T" }, "Description"],
      [{ ...base, Description: "" }, "Description"],
      [{ ...base, Description: "d".repeat(1001) }, "Description"],
      [{ ...base, ExpirationDays: 0 }, "ExpirationDays"],
      [{ ...base, ExpirationDays: 1099 }, "ExpirationDays"],
      [{ ...base, ExpirationDays: 1.5 }, "ExpirationDays"],
      [{ ...base, MaxProfileObjectCount: 0 }, "MaxProfileObjectCount"],
      [{ ...base, SourcePriority: 0 }, "SourcePriority"],
      [{ ...base, EncryptionKey: "k".repeat(256) }, "EncryptionKey"],
      [{ ...base, AllowProfileCreation: "yes" }, "AllowProfileCreation"],
      [{ ...base, SourceLastUpdatedTimestampFormat: "" }, "SourceLastUpdatedTimestampFormat"],
      [{ ...base, TemplateId: "bad id" }, "TemplateId"],
      [{ ...base, Tags: { "aws:x": "v" } }, "Tags.aws:x"],
      [{ ...base, Tags: {} }, "Tags"],
    ];
    for (const [input, member] of cases) expect(memberOf(input), JSON.stringify(input)).toBe(member);
  });

  it("names the exact path inside Fields", () => {
    const withField = (f: unknown) => ({ ...base, Fields: { Email: f } });
    expect(memberOf(withField({ Source: "_source.e", ContentType: "EMAIL" }))).toBe(
      "Fields.Email.ContentType",
    );
    expect(memberOf(withField({ Source: "" }))).toBe("Fields.Email.Source");
    expect(memberOf(withField({ Source: "email" }))).toBe("Fields.Email.Source");
    expect(memberOf(withField({ Source: "{{#if _source.x}}open" }))).toBe("Fields.Email.Source");
    expect(memberOf(withField({ Source: "_source.e", Target: "_profile.Nope" }))).toBe("Fields.Email.Target");
    expect(memberOf(withField({ Source: "_source.e", Target: "_order.OrderId" }))).toBe(
      "Fields.Email.Target",
    );
    expect(memberOf(withField({ Source: "_source.e", Target: "_profile.Address.Street" }))).toBe(
      "Fields.Email.Target",
    );
    expect(memberOf({ ...base, Fields: { "bad name": { Source: "_source.e" } } })).toBe("Fields.bad name");
  });

  it("accepts every kind of target", () => {
    const targets = [
      "_profile.FirstName",
      "_profile.BillingAddress.PostalCode",
      "_profile.Attributes.loyalty.tier",
      "_case.Title",
      "_case.Attributes.x",
      "_asset.SerialNumber",
      "_asset.Attributes.y",
    ];
    for (const Target of targets) {
      expect(() =>
        validateObjectType({ ...base, Fields: { f: { Source: "_source.a", Target } } }),
      ).not.toThrow();
    }
  });

  it("names the exact path inside Keys", () => {
    const withKeys = (keys: unknown) => ({ ...custom, Keys: keys });
    expect(memberOf(withKeys({ _email: [{ StandardIdentifiers: ["NOPE"], FieldNames: ["Email"] }] }))).toBe(
      "Keys._email[0].StandardIdentifiers[0]",
    );
    expect(
      memberOf(withKeys({ _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["Email", "Nope"] }] })),
    ).toBe("Keys._email[0].FieldNames[1]");
    expect(memberOf(withKeys({ _email: [{ StandardIdentifiers: ["PROFILE"] }] }))).toBe(
      "Keys._email[0].FieldNames",
    );
    expect(memberOf(withKeys({ _email: [] }))).toBe("Keys._email");
    expect(memberOf(withKeys({ "bad key": [{ FieldNames: ["Email"] }] }))).toBe("Keys.bad key");
    expect(
      memberOf(
        withKeys({
          _email: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["Email"] }],
          _ticketId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["TicketId"] }],
        }),
      ),
    ).toBe("Keys._ticketId[0].StandardIdentifiers");
  });

  it("allows ten keys and refuses eleven", () => {
    const keys = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, [{ FieldNames: ["Email"] }]]));
    expect(() => validateObjectType({ ...custom, Keys: keys(10) })).not.toThrow();
    expect(memberOf({ ...custom, Keys: keys(11) })).toBe("Keys");
  });

  it("refuses TemplateId together with members the template supplies", () => {
    const t = { ...base, TemplateId: "Zendesk-users" };
    expect(memberOf({ ...t, Fields: custom.Fields })).toBe("TemplateId");
    expect(memberOf({ ...t, Keys: {} })).toBe("TemplateId");
    expect(memberOf({ ...t, AllowProfileCreation: false })).toBe("TemplateId");
    expect(memberOf({ ...t, SourceLastUpdatedTimestampFormat: "yyyy-MM-dd" })).toBe("TemplateId");
    expect(memberOf({ ...base, TemplateId: "Hubspot-contacts" })).toBe("TemplateId");
  });

  it("requires a usable format when a sourceLastUpdatedTimestamp field exists", () => {
    const fields = { ...custom.Fields, sourceLastUpdatedTimestamp: { Source: "_source.updated" } };
    expect(memberOf({ ...custom, Fields: fields })).toBe("SourceLastUpdatedTimestampFormat");
    expect(memberOf({ ...custom, Fields: fields, SourceLastUpdatedTimestampFormat: "EEE, d MMM" })).toBe(
      "SourceLastUpdatedTimestampFormat",
    );
    const ok = { ...custom, Fields: fields, SourceLastUpdatedTimestampFormat: "yyyy-MM-dd'T'HH:mm:ssX" };
    expect(validateObjectType(ok)).toEqual(ok);
  });

  it("refuses a body that is not an object", () => {
    expect(memberOf(null)).toBe("(body)");
    expect(memberOf("{}")).toBe("(body)");
  });
});
