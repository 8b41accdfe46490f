import type { ContentType, ObjectTypeField, ObjectTypeKey, StandardIdentifier } from "../object-type.ts";

/** A Fields entry reading `_source.<path>` into `target` (omit target for key-only fields). */
export function field(path: string, target?: string, contentType?: ContentType): ObjectTypeField {
  const f: ObjectTypeField = { Source: `_source.${path}` };
  if (target !== undefined) f.Target = target;
  if (contentType !== undefined) f.ContentType = contentType;
  return f;
}

/** A Keys entry: one key element over the given fields with the given identifiers. */
export function key(identifiers: StandardIdentifier[], ...fieldNames: string[]): ObjectTypeKey[] {
  return [{ StandardIdentifiers: identifiers, FieldNames: fieldNames }];
}

/** Five address fields (street, city, state, country, postal code) into one profile address. */
export function addressFields(
  prefix: string,
  sources: readonly [street: string, city: string, state: string, country: string, postalCode: string],
  address: "Address" | "ShippingAddress" | "MailingAddress" | "BillingAddress",
): Record<string, ObjectTypeField> {
  const parts = ["Address1", "City", "State", "Country", "PostalCode"] as const;
  const out: Record<string, ObjectTypeField> = {};
  sources.forEach((source, i) => {
    out[`${prefix}${parts[i]}`] = field(source, `_profile.${address}.${parts[i]}`);
  });
  return out;
}

// The vendors' own timestamp layouts (SimpleDateFormat), matching what their REST APIs return.
export const SALESFORCE_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"; // 2024-01-15T10:20:30.000+0000
export const SERVICENOW_TIMESTAMP = "yyyy-MM-dd HH:mm:ss"; // 2024-01-15 10:20:30, UTC in the Table API
export const ISO_SECONDS_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ssX"; // 2024-01-15T10:20:30Z (Zendesk, Marketo)
