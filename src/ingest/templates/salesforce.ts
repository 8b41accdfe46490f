import type { ObjectTypeTemplate } from "../object-type.ts";
import { addressFields, field, key, SALESFORCE_TIMESTAMP } from "./define-template.ts";

// Field names are Salesforce API names. The AWS table writes PersonMailingAddress.Street and
// PersonBirthDate; the flat fields AppFlow and the REST API return are PersonMailingStreet… and
// PersonBirthdate.

/** Salesforce Account (business or person account) → standard profile. */
export const salesforceAccount: ObjectTypeTemplate = {
  TemplateId: "Salesforce-Account",
  SourceName: "Salesforce",
  SourceObject: "Account",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SALESFORCE_TIMESTAMP,
  Fields: {
    sfdcAccountId: field("Id", "_profile.Attributes.sfdcAccountId"),
    Name: field("Name", "_profile.BusinessName", "NAME"),
    Phone: field("Phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
    ...addressFields(
      "Billing",
      ["BillingStreet", "BillingCity", "BillingState", "BillingCountry", "BillingPostalCode"],
      "BillingAddress",
    ),
    ...addressFields(
      "Shipping",
      ["ShippingStreet", "ShippingCity", "ShippingState", "ShippingCountry", "ShippingPostalCode"],
      "ShippingAddress",
    ),
    PartyType: {
      Source: "{{#if _source.IsPersonAccount}}INDIVIDUAL{{else}}BUSINESS{{/if}}",
      Target: "_profile.PartyType",
    },
    PersonMobilePhone: field("PersonMobilePhone", "_profile.MobilePhoneNumber", "PHONE_NUMBER"),
    PersonHomePhone: field("PersonHomePhone", "_profile.HomePhoneNumber", "PHONE_NUMBER"),
    PersonEmail: field("PersonEmail", "_profile.PersonalEmailAddress", "EMAIL_ADDRESS"),
    ...addressFields(
      "PersonMailing",
      [
        "PersonMailingStreet",
        "PersonMailingCity",
        "PersonMailingState",
        "PersonMailingCountry",
        "PersonMailingPostalCode",
      ],
      "MailingAddress",
    ),
    PersonBirthdate: field("PersonBirthdate", "_profile.BirthDate"),
    ...addressFields(
      "PersonOther",
      [
        "PersonOtherStreet",
        "PersonOtherCity",
        "PersonOtherState",
        "PersonOtherCountry",
        "PersonOtherPostalCode",
      ],
      "Address",
    ),
    FirstName: field("FirstName", "_profile.FirstName", "NAME"),
    LastName: field("LastName", "_profile.LastName", "NAME"),
    MiddleName: field("MiddleName", "_profile.MiddleName", "NAME"),
    AccountNumber: field("AccountNumber", "_profile.AccountNumber"),
    sourceLastUpdatedTimestamp: field("SystemModstamp"),
  },
  Keys: {
    _salesforceAccountId: key(["PROFILE", "UNIQUE"], "sfdcAccountId"),
  },
};

/** Salesforce Contact → standard profile; one profile per contact, never per account. */
export const salesforceContact: ObjectTypeTemplate = {
  TemplateId: "Salesforce-Contact",
  SourceName: "Salesforce",
  SourceObject: "Contact",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SALESFORCE_TIMESTAMP,
  Fields: {
    sfdcContactId: field("Id", "_profile.Attributes.sfdcContactId"),
    sfdcAccountId: field("AccountId", "_profile.Attributes.sfdcAccountId"),
    LastName: field("LastName", "_profile.LastName", "NAME"),
    FirstName: field("FirstName", "_profile.FirstName", "NAME"),
    MiddleName: field("MiddleName", "_profile.MiddleName", "NAME"),
    ...addressFields(
      "Other",
      ["OtherStreet", "OtherCity", "OtherState", "OtherCountry", "OtherPostalCode"],
      "Address",
    ),
    ...addressFields(
      "Mailing",
      ["MailingStreet", "MailingCity", "MailingState", "MailingCountry", "MailingPostalCode"],
      "MailingAddress",
    ),
    Phone: field("Phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
    HomePhone: field("HomePhone", "_profile.HomePhoneNumber", "PHONE_NUMBER"),
    MobilePhone: field("MobilePhone", "_profile.MobilePhoneNumber", "PHONE_NUMBER"),
    Email: field("Email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
    Birthdate: field("Birthdate", "_profile.BirthDate"),
    sourceLastUpdatedTimestamp: field("SystemModstamp"),
  },
  Keys: {
    _salesforceContactId: key(["PROFILE", "UNIQUE"], "sfdcContactId"),
    // Search only: matching on it would fold every contact of one company into one profile.
    _salesforceAccountId: key([], "sfdcAccountId"),
  },
};

/** Salesforce Asset → standard asset, attached to its contact's (else its account's) profile. */
export const salesforceAsset: ObjectTypeTemplate = {
  TemplateId: "Salesforce-Asset",
  SourceName: "Salesforce",
  SourceObject: "Asset",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SALESFORCE_TIMESTAMP,
  Fields: {
    sfdcAssetId: field("Id", "_asset.Attributes.sfdcAssetId"),
    AssetId: field("Id", "_asset.AssetId"),
    AssetName: field("Name", "_asset.AssetName"),
    sfdcContactId: field("ContactId", "_asset.Attributes.sfdcContactId"),
    sfdcAccountId: field("AccountId", "_asset.Attributes.sfdcAccountId"),
    SerialNumber: field("SerialNumber", "_asset.SerialNumber"),
    StockKeepingUnit: field("StockKeepingUnit", "_asset.ProductSKU"),
    UsageEndDate: field("UsageEndDate", "_asset.UsageEndDate"),
    Status: field("Status", "_asset.Status"),
    Price: field("Price", "_asset.Price"),
    Quantity: field("Quantity", "_asset.Quantity"),
    Description: field("Description", "_asset.Description"),
    sourceLastUpdatedTimestamp: field("SystemModstamp"),
  },
  Keys: {
    _salesforceAssetId: key(["ASSET", "UNIQUE"], "sfdcAssetId"),
    _salesforceContactId: key(["PROFILE"], "sfdcContactId"),
    // Search only, as on Contact: an account id is shared by all its contacts. Matched (even as SECONDARY)
    // it would attach an asset that arrives before its contact to another profile holding the account id
    // (an earlier asset's, a colleague's, the account's), and the contact would then join that profile.
    _salesforceAccountId: key([], "sfdcAccountId"),
  },
};
