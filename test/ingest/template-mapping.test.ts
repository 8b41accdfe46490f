import { describe, expect, it } from "vitest";
import { type CompiledObjectType, compileObjectType } from "../../src/ingest/compile-object-type.ts";
import type { MappedObject, MapResult } from "../../src/ingest/mapped-object.ts";
import { implicitObjectType } from "../../src/ingest/templates.ts";

const compiled = (name: string): CompiledObjectType => compileObjectType(implicitObjectType(name)!);
function mapOk(name: string, record: unknown): MappedObject {
  const r: MapResult = compiled(name).map(record);
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r;
}
const keyOf = (m: MappedObject, name: string) => m.keys.find((k) => k.name === name);

describe("Salesforce templates", () => {
  const contact = {
    Id: "0035e00000AbCdEAAV",
    AccountId: "0015e00000XyZAAA",
    FirstName: "Ann",
    MiddleName: "",
    LastName: "Lee",
    Email: "Ann.Lee@Example.com",
    Phone: "(415) 555-0134",
    MobilePhone: "415.555.0199",
    Birthdate: "1985-04-12",
    MailingStreet: "1 Market St",
    MailingCity: "San Francisco",
    MailingState: "CA",
    MailingCountry: "USA",
    MailingPostalCode: "94105",
    OtherCity: "Oakland",
    SystemModstamp: "2024-03-01T12:00:00.000+0000",
  };

  it("maps a Contact to profile fields, nested addresses, attributes and keys", () => {
    const m = mapOk("Salesforce-Contact", contact);
    expect(m.profile).toEqual({
      FirstName: "Ann",
      LastName: "Lee",
      EmailAddress: "Ann.Lee@Example.com",
      PhoneNumber: "(415) 555-0134",
      MobilePhoneNumber: "415.555.0199",
      BirthDate: "1985-04-12",
      MailingAddress: {
        Address1: "1 Market St",
        City: "San Francisco",
        State: "CA",
        Country: "USA",
        PostalCode: "94105",
      },
      Address: { City: "Oakland" },
      Attributes: { sfdcContactId: contact.Id, sfdcAccountId: contact.AccountId },
    });
    expect(m.keys).toEqual([
      {
        name: "_salesforceContactId",
        value: contact.Id,
        identifiers: ["PROFILE", "UNIQUE"],
        contentType: "STRING",
      },
      { name: "_salesforceAccountId", value: contact.AccountId, identifiers: [], contentType: "STRING" },
    ]);
    expect(m.uniqueKey).toEqual({ name: "_salesforceContactId", value: contact.Id });
    expect(m.sourceTimestamp).toBe(Date.UTC(2024, 2, 1, 12));
    expect(m.case).toBeUndefined();
    expect(m.inferred).toEqual({ EmailAddress: "Ann.Lee@Example.com", PhoneNumber: "(415) 555-0134" });
  });

  it("maps IsPersonAccount to PartyType INDIVIDUAL or BUSINESS", () => {
    const person = mapOk("Salesforce-Account", {
      Id: "001P",
      IsPersonAccount: true,
      FirstName: "Bo",
      PersonEmail: "bo@example.com",
      PersonMailingCity: "Austin",
      PersonBirthdate: "1990-01-01",
      SystemModstamp: "2024-03-01T12:00:00.000+0000",
    });
    expect(person.profile).toMatchObject({
      PartyType: "INDIVIDUAL",
      PersonalEmailAddress: "bo@example.com",
      MailingAddress: { City: "Austin" },
      BirthDate: "1990-01-01",
    });
    const business = mapOk("Salesforce-Account", { Id: "001B", Name: "Acme & Sons", IsPersonAccount: false });
    expect(business.profile).toMatchObject({ PartyType: "BUSINESS", BusinessName: "Acme & Sons" });
    // Orgs without person accounts have no IsPersonAccount field at all.
    expect(mapOk("Salesforce-Account", { Id: "001C" }).profile.PartyType).toBe("BUSINESS");
  });

  it("maps an Asset into _asset and carries the contact's key", () => {
    const m = mapOk("Salesforce-Asset", {
      Id: "02i5e0000001",
      Name: "Router X",
      ContactId: contact.Id,
      AccountId: contact.AccountId,
      SerialNumber: "SN-1",
      Price: 99.5,
      Quantity: 2,
      SystemModstamp: "2024-03-01T12:00:00.000+0000",
    });
    expect(m.asset).toEqual({
      AssetId: "02i5e0000001",
      AssetName: "Router X",
      SerialNumber: "SN-1",
      Price: "99.5",
      Quantity: "2",
      Attributes: {
        sfdcAssetId: "02i5e0000001",
        sfdcContactId: contact.Id,
        sfdcAccountId: contact.AccountId,
      },
    });
    expect(m.profile).toEqual({});
    expect(m.uniqueKey).toEqual({ name: "_salesforceAssetId", value: "02i5e0000001" });
    expect(keyOf(m, "_salesforceContactId")?.value).toBe(
      mapOk("Salesforce-Contact", contact).uniqueKey?.value,
    );
  });
});

describe("Zendesk templates", () => {
  it("maps users and links tickets to them through the requester id", () => {
    const user = mapOk("Zendesk-users", {
      id: 36106745,
      external_id: "crm-42",
      email: "C@x.io",
      phone: "+1 650 555 0101",
      updated_at: "2024-01-15T10:20:30Z",
    });
    expect(user.profile).toEqual({
      EmailAddress: "C@x.io",
      PhoneNumber: "+1 650 555 0101",
      Attributes: { ZendeskUserId: "36106745", ZendeskExternalId: "crm-42" },
    });
    expect(user.sourceTimestamp).toBe(Date.UTC(2024, 0, 15, 10, 20, 30));
    const ticket = mapOk("Zendesk-tickets", {
      id: 99,
      requester_id: 36106745,
      subject: "Printer <on> fire",
      description: "help",
      status: "open",
      created_at: "2024-01-15T10:00:00Z",
      updated_at: "2024-01-15T11:00:00Z",
    });
    expect(ticket.case).toEqual({
      CaseId: "99",
      Title: "Printer <on> fire",
      Summary: "help",
      Status: "open",
      CreatedBy: "36106745",
      CreatedDate: "2024-01-15T10:00:00Z",
      UpdatedDate: "2024-01-15T11:00:00Z",
      Attributes: { ZendeskUserId: "36106745", ZendeskTicketId: "99" },
    });
    expect(ticket.uniqueKey).toEqual({ name: "_zendeskTicketId", value: "99" });
    expect(keyOf(ticket, "_zendeskUserId")).toMatchObject({ value: keyOf(user, "_zendeskUserId")?.value });
  });
});

describe("ServiceNow templates", () => {
  const sysId = "62826bf03710200044e0bfc8bcbe5df1";
  it("maps sys_user with gender free text to the enum", () => {
    const m = mapOk("Servicenow-sys_user", {
      sys_id: sysId,
      first_name: "Abel",
      last_name: "Tuter",
      gender: "Male",
      email: "abel.tuter@example.com",
      zip: "94105",
      sys_updated_on: "2024-02-02 08:09:10",
    });
    expect(m.profile).toMatchObject({ Gender: "MALE", Address: { PostalCode: "94105" } });
    expect(m.sourceTimestamp).toBe(Date.UTC(2024, 1, 2, 8, 9, 10));
    expect(m.uniqueKey).toEqual({ name: "_serviceNowSystemId", value: sysId });
  });

  it("links incidents and tasks to the user through the reference field's value", () => {
    const ref = { link: `https://dev.service-now.com/api/now/table/sys_user/${sysId}`, value: sysId };
    const incident = mapOk("Servicenow-incident", {
      sys_id: "inc1",
      caller_id: ref,
      short_description: "VPN down",
      incident_state: "2",
      category: "network",
      resolved_at: "",
      sys_updated_on: "2024-02-02 09:00:00",
    });
    expect(incident.case).toMatchObject({
      CaseId: "inc1",
      Title: "VPN down",
      Status: "2",
      Reason: "network",
    });
    expect(incident.case?.ClosedDate).toBeUndefined();
    expect(keyOf(incident, "_serviceNowSystemId")).toEqual({
      name: "_serviceNowSystemId",
      value: sysId,
      identifiers: ["PROFILE"],
      contentType: "STRING",
    });
    const task = mapOk("Servicenow-task", { sys_id: "t1", opened_by: ref, state: "1" });
    expect(keyOf(task, "_serviceNowSystemId")?.value).toBe(sysId);
    expect(task.uniqueKey).toEqual({ name: "_serviceNowTaskId", value: "t1" });
  });
});

describe("Marketo-leads", () => {
  it("maps a lead and carries its Salesforce contact id as a matching key", () => {
    const m = mapOk("Marketo-leads", {
      id: 318581,
      sfdcContactId: "0035e00000AbCdEAAV",
      sfdcAccountId: "0015e00000XyZAAA",
      firstName: "Ann",
      email: " ANN.LEE@example.com",
      dateOfBirth: "1985-04-12",
      postalCode: "94105",
      billingCity: "SF",
      updatedAt: "2024-03-02T00:00:00Z",
    });
    expect(m.profile).toMatchObject({
      FirstName: "Ann",
      EmailAddress: "ANN.LEE@example.com",
      BirthDate: "1985-04-12",
      Address: { PostalCode: "94105" },
      BillingAddress: { City: "SF" },
    });
    expect(m.keys.map((k) => [k.name, k.value, k.identifiers])).toEqual([
      ["_marketoLeadId", "318581", ["PROFILE", "UNIQUE"]],
      ["_salesforceContactId", "0035e00000AbCdEAAV", ["PROFILE"]],
      ["_salesforceAccountId", "0015e00000XyZAAA", []],
    ]);
  });
});
