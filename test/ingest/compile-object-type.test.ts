import { describe, expect, it } from "vitest";
import { compileObjectType } from "../../src/ingest/compile-object-type.ts";
import type { MappedObject, MapResult } from "../../src/ingest/mapped-object.ts";
import type { ObjectTypeDefinition } from "../../src/ingest/object-type.ts";
import { validateObjectType } from "../../src/ingest/validate-object-type.ts";

const ticketType = validateObjectType({
  ObjectTypeName: "Ticket",
  Description: "tickets from a home-grown desk",
  AllowProfileCreation: false,
  SourceLastUpdatedTimestampFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  Fields: {
    ticketId: { Source: "_source.ticket.id", Target: "_case.CaseId" },
    region: { Source: "_source.region" },
    email: {
      Source: "_source.customer.email",
      Target: "_profile.EmailAddress",
      ContentType: "EMAIL_ADDRESS",
    },
    phone: { Source: "_source.customer.phone", ContentType: "PHONE_NUMBER" },
    fullName: {
      Source: "{{_source.customer.first}} {{_source.customer.last}}",
      Target: "_profile.Attributes.displayName",
      ContentType: "NAME",
    },
    title: { Source: "{{_source.ticket.title}}", Target: "_case.Title" },
    gender: { Source: "_source.customer.gender", Target: "_profile.Gender" },
    sourceLastUpdatedTimestamp: { Source: "_source.modified" },
  },
  Keys: {
    _ticket: [{ StandardIdentifiers: ["CASE", "UNIQUE"], FieldNames: ["region", "ticketId"] }],
    _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    _phone: [{ StandardIdentifiers: ["PROFILE", "SECONDARY", "LOOKUP_ONLY"], FieldNames: ["phone"] }],
  },
});
const record = {
  region: "emea",
  ticket: { id: 7, title: "Tom & Jerry <b>" },
  customer: {
    email: " Ann@Example.COM ",
    phone: "020 7946 0018",
    first: "Ann",
    last: "Lee",
    gender: "robot",
  },
  modified: "2024-05-06T07:08:09.123+02:00",
};

function ok(r: MapResult): MappedObject {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r;
}

describe("compileObjectType", () => {
  const compiled = compileObjectType(ticketType, { defaultRegion: "GB" });

  it("maps paths, Handlebars (not HTML-escaped), composite and normalized keys", () => {
    const m = ok(compiled.map(record));
    expect(m.profile).toEqual({
      EmailAddress: "Ann@Example.COM",
      Attributes: { displayName: "Ann Lee" },
      GenderString: "robot",
    });
    expect(m.case).toEqual({ CaseId: "7", Title: "Tom & Jerry <b>" });
    expect(m.keys).toEqual([
      { name: "_ticket", value: "emea|7", identifiers: ["CASE", "UNIQUE"], contentType: "STRING" },
      { name: "_email", value: "ann@example.com", identifiers: ["PROFILE"], contentType: "EMAIL_ADDRESS" },
      {
        name: "_phone",
        value: "+442079460018",
        identifiers: ["PROFILE", "SECONDARY", "LOOKUP_ONLY"],
        contentType: "PHONE_NUMBER",
      },
    ]);
    expect(m.uniqueKey).toEqual({ name: "_ticket", value: "emea|7" });
    expect(m.sourceTimestamp).toBe(Date.UTC(2024, 4, 6, 5, 8, 9, 123));
    expect(m.inferred).toEqual({ EmailAddress: "Ann@Example.COM", PhoneNumber: "020 7946 0018" });
    expect(compiled.allowProfileCreation).toBe(false);
    expect(compiled.keyContentTypes.get("_phone")).toBe("PHONE_NUMBER");
    expect(compiled.keyContentTypes.get("_ticket")).toBe("STRING");
  });

  it("accepts the object as JSON text, as PutProfileObject sends it", () => {
    expect(ok(compiled.map(JSON.stringify(record))).uniqueKey?.value).toBe("emea|7");
  });

  it("leaves empty and missing values out instead of writing empty strings", () => {
    const m = ok(compiled.map({ ...record, customer: { email: "  ", first: "", last: "" } }));
    expect(m.profile).toEqual({});
    expect(m.keys.map((k) => k.name)).toEqual(["_ticket"]);
    expect(m.inferred).toEqual({});
  });

  it("returns record errors instead of throwing", () => {
    const cases: Array<[unknown, string, string | undefined]> = [
      [{ ...record, region: undefined }, "UNIQUE_KEY_MISSING", "region"],
      [{ ...record, ticket: { title: "x" } }, "UNIQUE_KEY_MISSING", "ticketId"],
      [{ ...record, region: "   " }, "UNIQUE_KEY_MISSING", "region"],
      [{ ...record, modified: "yesterday" }, "SOURCE_TIMESTAMP_UNPARSABLE", "sourceLastUpdatedTimestamp"],
      ["{not json", "OBJECT_NOT_JSON", undefined],
      ["[1,2]", "OBJECT_NOT_AN_OBJECT", undefined],
      [null, "OBJECT_NOT_AN_OBJECT", undefined],
      [42, "OBJECT_NOT_AN_OBJECT", undefined],
    ];
    for (const [input, code, field] of cases) {
      const r = compiled.map(input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe(code);
        expect(r.field).toBe(field);
      }
    }
  });

  it("has no source timestamp when the record has none", () => {
    expect(ok(compiled.map({ ...record, modified: null })).sourceTimestamp).toBeUndefined();
  });

  it("ignores structured values at a path and a record field named like our result flags", () => {
    const m = ok(compiled.map({ ...record, ok: false, customer: { ...record.customer, email: { a: 1 } } }));
    expect(m.profile.EmailAddress).toBeUndefined();
  });

  it("uses US as the default region", () => {
    const us = compileObjectType(ticketType);
    const m = ok(us.map({ ...record, customer: { phone: "(415) 555-0134" } }));
    expect(m.keys.find((k) => k.name === "_phone")?.value).toBe("+14155550134");
  });

  it("compiles a type without UNIQUE key and without Keys at all", () => {
    const def: ObjectTypeDefinition = {
      ObjectTypeName: "Note",
      Description: "notes",
      Fields: { text: { Source: "_source.text", Target: "_profile.AdditionalInformation" } },
    };
    const m = ok(compileObjectType(validateObjectType(def)).map({ text: "hi" }));
    expect(m).toEqual({ ok: true, profile: { AdditionalInformation: "hi" }, keys: [], inferred: {} });
  });

  it("maps the same record the same way every time (no state between records)", () => {
    const a = ok(compiled.map(record));
    ok(compiled.map({ region: "x", ticket: { id: 1 } }));
    expect(ok(compiled.map(record))).toEqual(a);
  });
});
