import type { ObjectTypeTemplate } from "../object-type.ts";
import { field, ISO_SECONDS_TIMESTAMP, key } from "./define-template.ts";

/** Zendesk users → standard profile. */
export const zendeskUsers: ObjectTypeTemplate = {
  TemplateId: "Zendesk-users",
  SourceName: "Zendesk",
  SourceObject: "users",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: ISO_SECONDS_TIMESTAMP,
  Fields: {
    ZendeskUserId: field("id", "_profile.Attributes.ZendeskUserId"),
    ZendeskExternalId: field("external_id", "_profile.Attributes.ZendeskExternalId"),
    email: field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
    phone: field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
    sourceLastUpdatedTimestamp: field("updated_at"),
  },
  Keys: {
    _zendeskUserId: key(["PROFILE", "UNIQUE"], "ZendeskUserId"),
    // external_id is the same person's id in the customer's own system, so it may match.
    _zendeskExternalId: key(["PROFILE"], "ZendeskExternalId"),
  },
};

/** Zendesk tickets → standard case, attached to the requester's profile. */
export const zendeskTickets: ObjectTypeTemplate = {
  TemplateId: "Zendesk-tickets",
  SourceName: "Zendesk",
  SourceObject: "tickets",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: ISO_SECONDS_TIMESTAMP,
  Fields: {
    ZendeskUserId: field("requester_id", "_case.Attributes.ZendeskUserId"),
    ZendeskTicketId: field("id", "_case.Attributes.ZendeskTicketId"),
    CaseId: field("id", "_case.CaseId"),
    subject: field("subject", "_case.Title"),
    description: field("description", "_case.Summary"),
    status: field("status", "_case.Status"),
    CreatedBy: field("requester_id", "_case.CreatedBy"),
    created_at: field("created_at", "_case.CreatedDate"),
    updated_at: field("updated_at", "_case.UpdatedDate"),
    sourceLastUpdatedTimestamp: field("updated_at"),
  },
  Keys: {
    _zendeskTicketId: key(["CASE", "UNIQUE"], "ZendeskTicketId"),
    _zendeskUserId: key(["PROFILE"], "ZendeskUserId"),
  },
};
