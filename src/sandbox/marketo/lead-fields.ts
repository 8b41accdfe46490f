/**
 * The lead field catalog: Marketo's standard REST field names, covering every field the
 * `Marketo-leads` template reads (reference/aws-api.md §4.9), and the two describe shapes.
 */

/** One lead field as the simulator knows it. */
export interface LeadField {
  id: number;
  name: string;
  displayName: string;
  dataType: "integer" | "string" | "email" | "phone" | "datetime" | "date" | "boolean";
  length?: number;
  readOnly: boolean;
  searchable: boolean;
}

const f = (
  id: number,
  name: string,
  displayName: string,
  dataType: LeadField["dataType"],
  opts: { length?: number; readOnly?: boolean; searchable?: boolean } = {},
): LeadField => ({
  id,
  name,
  displayName,
  dataType,
  ...(opts.length === undefined ? {} : { length: opts.length }),
  readOnly: opts.readOnly ?? false,
  searchable: opts.searchable ?? false,
});

/** Every lead field, in describe order. */
export const leadFields: readonly LeadField[] = [
  f(1, "id", "Id", "integer", { readOnly: true, searchable: true }),
  f(2, "createdAt", "Created At", "datetime", { readOnly: true }),
  f(3, "updatedAt", "Updated At", "datetime", { readOnly: true }),
  f(31, "firstName", "First Name", "string", { length: 255 }),
  f(32, "middleName", "Middle Name", "string", { length: 255 }),
  f(33, "lastName", "Last Name", "string", { length: 255 }),
  f(48, "email", "Email Address", "email", { length: 255, searchable: true }),
  f(44, "phone", "Phone Number", "phone", { length: 255 }),
  f(45, "mobilePhone", "Mobile Phone Number", "phone", { length: 255 }),
  f(46, "gender", "Gender", "string", { length: 255 }),
  f(47, "dateOfBirth", "Date of Birth", "date"),
  f(50, "company", "Company Name", "string", { length: 255 }),
  f(51, "title", "Job Title", "string", { length: 255 }),
  f(60, "address", "Address", "string", { length: 255 }),
  f(61, "city", "City", "string", { length: 255 }),
  f(62, "state", "State", "string", { length: 255 }),
  f(63, "country", "Country", "string", { length: 255 }),
  f(64, "postalCode", "Postal Code", "string", { length: 255 }),
  f(70, "billingStreet", "Billing Address", "string", { length: 255 }),
  f(71, "billingCity", "Billing City", "string", { length: 255 }),
  f(72, "billingState", "Billing State", "string", { length: 255 }),
  f(73, "billingCountry", "Billing Country", "string", { length: 255 }),
  f(74, "billingPostalCode", "Billing Postal Code", "string", { length: 255 }),
  f(80, "leadSource", "Person Source", "string", { length: 255 }),
  f(81, "unsubscribed", "Unsubscribed", "boolean"),
  f(90, "sfdcAccountId", "SFDC Account Id", "string", { length: 18, readOnly: true, searchable: true }),
  f(91, "sfdcContactId", "SFDC Contact Id", "string", { length: 18, readOnly: true, searchable: true }),
];

const byName = new Map(leadFields.map((x) => [x.name, x]));

/** The field with this REST name (case-sensitive, as Marketo's), or undefined. */
export function leadField(name: string): LeadField | undefined {
  return byName.get(name);
}

/** The fields `leads.json` returns when the caller names none. */
export const defaultLeadFields = ["id", "updatedAt", "lastName", "email", "createdAt", "firstName"] as const;

/** The `result` of `/rest/v1/leads/describe.json`. */
export function describeResult(): unknown[] {
  return leadFields.map((x) => ({
    id: x.id,
    displayName: x.displayName,
    dataType: x.dataType,
    ...(x.length === undefined ? {} : { length: x.length }),
    rest: { name: x.name, readOnly: x.readOnly },
    soap: { name: x.name.charAt(0).toUpperCase() + x.name.slice(1), readOnly: x.readOnly },
  }));
}

/** The `result` of `/rest/v1/leads/describe2.json`. */
export function describe2Result(): unknown[] {
  return [
    {
      name: "API Lead",
      searchableFields: leadFields.filter((x) => x.searchable).map((x) => [x.name]),
      fields: leadFields.map((x) => ({
        name: x.name,
        displayName: x.displayName,
        dataType: x.dataType,
        ...(x.length === undefined ? {} : { length: x.length }),
        updateable: !x.readOnly,
        crmManaged: x.name.startsWith("sfdc"),
      })),
    },
  ];
}
