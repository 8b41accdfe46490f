/**
 * The standard objects a Target may write into (`_profile`, `_case`, `_asset`) and their members,
 * from the model `Profile` shape and the admin guide's standard case / asset definitions.
 */

/** Members of the `Address` structure (used by all four profile addresses). */
export const ADDRESS_FIELDS = [
  "Address1",
  "Address2",
  "Address3",
  "Address4",
  "City",
  "County",
  "State",
  "Province",
  "Country",
  "PostalCode",
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type Address = Partial<Record<AddressField, string>>;

/** Profile members that hold an Address. */
export const PROFILE_ADDRESS_FIELDS = [
  "Address",
  "ShippingAddress",
  "MailingAddress",
  "BillingAddress",
] as const;
export type ProfileAddressField = (typeof PROFILE_ADDRESS_FIELDS)[number];

/** Profile members that hold a plain string. */
export const PROFILE_STRING_FIELDS = [
  "AccountNumber",
  "AdditionalInformation",
  "PartyType",
  "PartyTypeString",
  "BusinessName",
  "FirstName",
  "MiddleName",
  "LastName",
  "BirthDate",
  "Gender",
  "GenderString",
  "PhoneNumber",
  "MobilePhoneNumber",
  "HomePhoneNumber",
  "BusinessPhoneNumber",
  "EmailAddress",
  "PersonalEmailAddress",
  "BusinessEmailAddress",
] as const;
export type ProfileStringField = (typeof PROFILE_STRING_FIELDS)[number];

/** The standard profile fields a mapping can produce. */
export type ProfileFields = Partial<Record<ProfileStringField, string>> &
  Partial<Record<ProfileAddressField, Address>> & { Attributes?: Record<string, string> };

/** Members of the standard case object. */
export const CASE_FIELDS = [
  "CaseId",
  "Title",
  "Summary",
  "Status",
  "Reason",
  "CreatedBy",
  "CreatedDate",
  "UpdatedDate",
  "ClosedDate",
  "AdditionalInformation",
  "DataSource",
] as const;
export type CaseFields = Partial<Record<(typeof CASE_FIELDS)[number], string>> & {
  Attributes?: Record<string, string>;
};

/** Members of the standard asset object. */
export const ASSET_FIELDS = [
  "AssetId",
  "AssetName",
  "SerialNumber",
  "ModelNumber",
  "ModelName",
  "ProductSKU",
  "PurchaseDate",
  "UsageEndDate",
  "Status",
  "Price",
  "Quantity",
  "Description",
  "AdditionalInformation",
  "DataSource",
] as const;
export type AssetFields = Partial<Record<(typeof ASSET_FIELDS)[number], string>> & {
  Attributes?: Record<string, string>;
};

export type TargetRoot = "profile" | "case" | "asset";

/** A parsed Target: which object, and where in it. */
export type ParsedTarget =
  | { root: TargetRoot; kind: "field"; field: string }
  | { root: "profile"; kind: "address"; field: ProfileAddressField; part: AddressField }
  | { root: TargetRoot; kind: "attribute"; name: string };

const ROOTS: Record<string, { root: TargetRoot; fields: ReadonlySet<string> }> = {
  _profile: { root: "profile", fields: new Set<string>(PROFILE_STRING_FIELDS) },
  _case: { root: "case", fields: new Set<string>(CASE_FIELDS) },
  _asset: { root: "asset", fields: new Set<string>(ASSET_FIELDS) },
};
const ADDRESS_SET = new Set<string>(PROFILE_ADDRESS_FIELDS);
const ADDRESS_PART_SET = new Set<string>(ADDRESS_FIELDS);

/** Parses `_profile.X`, `_profile.Address.City`, `_case.Attributes.y`…; a string says why it is not a target. */
export function parseTarget(target: string): ParsedTarget | string {
  const dot = target.indexOf(".");
  const spec = dot > 0 ? ROOTS[target.slice(0, dot)] : undefined;
  if (!spec) return "a Target starts with _profile., _case. or _asset.";
  const rest = target.slice(dot + 1);
  if (rest.startsWith("Attributes.")) {
    const name = rest.slice("Attributes.".length);
    if (name.length < 1 || name.length > 255) return "an attribute name is 1-255 characters";
    return { root: spec.root, kind: "attribute", name };
  }
  if (spec.fields.has(rest)) return { root: spec.root, kind: "field", field: rest };
  const [head, part, ...more] = rest.split(".");
  if (spec.root === "profile" && head && ADDRESS_SET.has(head)) {
    if (part && more.length === 0 && ADDRESS_PART_SET.has(part)) {
      return {
        root: "profile",
        kind: "address",
        field: head as ProfileAddressField,
        part: part as AddressField,
      };
    }
    return `an address target names one of ${ADDRESS_FIELDS.join(", ")}`;
  }
  return `${target.slice(0, dot)} has no member ${rest}`;
}
