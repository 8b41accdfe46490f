import type { ObjectTypeTemplate } from "../object-type.ts";
import { addressFields, field, ISO_SECONDS_TIMESTAMP, key } from "./define-template.ts";

/**
 * Marketo leads → standard profile. Field names are Marketo REST names (dateOfBirth and postalCode;
 * the AWS table writes dataOfBirth and postalcode).
 */
export const marketoLeads: ObjectTypeTemplate = {
  TemplateId: "Marketo-leads",
  SourceName: "Marketo",
  SourceObject: "leads",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: ISO_SECONDS_TIMESTAMP,
  Fields: {
    MarketoLeadId: field("id", "_profile.Attributes.MarketoLeadId"),
    sfdcAccountId: field("sfdcAccountId", "_profile.Attributes.sfdcAccountId"),
    sfdcContactId: field("sfdcContactId", "_profile.Attributes.sfdcContactId"),
    firstName: field("firstName", "_profile.FirstName", "NAME"),
    lastName: field("lastName", "_profile.LastName", "NAME"),
    middleName: field("middleName", "_profile.MiddleName", "NAME"),
    email: field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
    phone: field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
    mobilePhone: field("mobilePhone", "_profile.MobilePhoneNumber", "PHONE_NUMBER"),
    gender: field("gender", "_profile.Gender"),
    dateOfBirth: field("dateOfBirth", "_profile.BirthDate"),
    ...addressFields(
      "billing",
      ["billingStreet", "billingCity", "billingState", "billingCountry", "billingPostalCode"],
      "BillingAddress",
    ),
    ...addressFields("", ["address", "city", "state", "country", "postalCode"], "Address"),
    sourceLastUpdatedTimestamp: field("updatedAt"),
  },
  Keys: {
    _marketoLeadId: key(["PROFILE", "UNIQUE"], "MarketoLeadId"),
    // The lead's Salesforce contact is the same person: match it.
    _salesforceContactId: key(["PROFILE"], "sfdcContactId"),
    // An account id is shared by many people: searchable, never matched.
    _salesforceAccountId: key([], "sfdcAccountId"),
  },
};
