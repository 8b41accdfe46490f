import type { ObjectTypeTemplate } from "../object-type.ts";
import { field, key, SERVICENOW_TIMESTAMP } from "./define-template.ts";

// Reference fields (opened_by, caller_id) come from the Table API as {link, value}; `.value` is the
// referenced sys_id, the same value a sys_user record carries as its own sys_id. The AWS tables use
// `.link` (a URL, which never equals a sys_id) and the misspellings open_by / incident_status.

/** ServiceNow sys_user → standard profile. */
export const servicenowSysUser: ObjectTypeTemplate = {
  TemplateId: "Servicenow-sys_user",
  SourceName: "Servicenow",
  SourceObject: "sys_user",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SERVICENOW_TIMESTAMP,
  Fields: {
    ServiceNowSystemId: field("sys_id", "_profile.Attributes.ServiceNowSystemId"),
    first_name: field("first_name", "_profile.FirstName", "NAME"),
    last_name: field("last_name", "_profile.LastName", "NAME"),
    middle_name: field("middle_name", "_profile.MiddleName", "NAME"),
    gender: field("gender", "_profile.Gender"),
    email: field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
    phone: field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
    home_phone: field("home_phone", "_profile.HomePhoneNumber", "PHONE_NUMBER"),
    mobile_phone: field("mobile_phone", "_profile.MobilePhoneNumber", "PHONE_NUMBER"),
    street: field("street", "_profile.Address.Address1"),
    city: field("city", "_profile.Address.City"),
    state: field("state", "_profile.Address.State"),
    country: field("country", "_profile.Address.Country"),
    zip: field("zip", "_profile.Address.PostalCode"),
    sourceLastUpdatedTimestamp: field("sys_updated_on"),
  },
  Keys: {
    _serviceNowSystemId: key(["PROFILE", "UNIQUE"], "ServiceNowSystemId"),
  },
};

/** ServiceNow task → standard case, attached to the profile of the user who opened it. */
export const servicenowTask: ObjectTypeTemplate = {
  TemplateId: "Servicenow-task",
  SourceName: "Servicenow",
  SourceObject: "task",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SERVICENOW_TIMESTAMP,
  Fields: {
    ServiceNowTaskId: field("sys_id", "_case.Attributes.ServiceNowTaskId"),
    CaseId: field("sys_id", "_case.CaseId"),
    ServiceNowSystemUserId: field("opened_by.value", "_case.Attributes.ServiceNowSystemUserId"),
    short_description: field("short_description", "_case.Title"),
    description: field("description", "_case.Summary"),
    state: field("state", "_case.Status"),
    sys_created_by: field("sys_created_by", "_case.CreatedBy"),
    sys_created_on: field("sys_created_on", "_case.CreatedDate"),
    sys_updated_on: field("sys_updated_on", "_case.UpdatedDate"),
    sourceLastUpdatedTimestamp: field("sys_updated_on"),
  },
  Keys: {
    _serviceNowTaskId: key(["CASE", "UNIQUE"], "ServiceNowTaskId"),
    _serviceNowSystemId: key(["PROFILE"], "ServiceNowSystemUserId"),
  },
};

/** ServiceNow incident → standard case, attached to the caller's profile. */
export const servicenowIncident: ObjectTypeTemplate = {
  TemplateId: "Servicenow-incident",
  SourceName: "Servicenow",
  SourceObject: "incident",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: SERVICENOW_TIMESTAMP,
  Fields: {
    ServiceNowIncidentId: field("sys_id", "_case.Attributes.ServiceNowIncidentId"),
    CaseId: field("sys_id", "_case.CaseId"),
    ServiceNowSystemUserId: field("caller_id.value", "_case.Attributes.ServiceNowSystemUserId"),
    short_description: field("short_description", "_case.Title"),
    description: field("description", "_case.Summary"),
    incident_state: field("incident_state", "_case.Status"),
    CreatedBy: field("caller_id.value", "_case.CreatedBy"),
    sys_created_on: field("sys_created_on", "_case.CreatedDate"),
    sys_updated_on: field("sys_updated_on", "_case.UpdatedDate"),
    resolved_at: field("resolved_at", "_case.ClosedDate"),
    category: field("category", "_case.Reason"),
    sourceLastUpdatedTimestamp: field("sys_updated_on"),
  },
  Keys: {
    _serviceNowIncidentId: key(["CASE", "UNIQUE"], "ServiceNowIncidentId"),
    _serviceNowSystemId: key(["PROFILE"], "ServiceNowSystemUserId"),
  },
};
