import type {
  ObjectTypeField,
  ObjectTypeKey,
  PutProfileObjectTypeCommandInput,
  StandardIdentifier,
} from "@aws-sdk/client-customer-profiles";
import type { MappingRow } from "./wizard-state.ts";

/** Where a source field can go in the standard profile (free text allowed: _profile.Attributes.<name>). */
export const PROFILE_TARGETS = [
  "_profile.FirstName",
  "_profile.MiddleName",
  "_profile.LastName",
  "_profile.EmailAddress",
  "_profile.PersonalEmailAddress",
  "_profile.BusinessEmailAddress",
  "_profile.PhoneNumber",
  "_profile.MobilePhoneNumber",
  "_profile.HomePhoneNumber",
  "_profile.BusinessPhoneNumber",
  "_profile.AccountNumber",
  "_profile.BusinessName",
  "_profile.BirthDate",
  "_profile.Gender",
  "_profile.Address.Address1",
  "_profile.Address.City",
  "_profile.Address.State",
  "_profile.Address.PostalCode",
  "_profile.Address.Country",
] as const;

/** The key choices of a mapped field: how objects find their profile (PROFILE) and each other (UNIQUE). */
export const KEY_CHOICES = [
  { value: "", label: "Not a key" },
  { value: "PROFILE", label: "Profile key (PROFILE)" },
  { value: "PROFILE,UNIQUE", label: "Profile key, unique (PROFILE, UNIQUE)" },
  { value: "UNIQUE", label: "Unique object key (UNIQUE)" },
  { value: "LOOKUP_ONLY", label: "Lookup only (LOOKUP_ONLY)" },
] as const;

const CONTENT: Record<string, "EMAIL_ADDRESS" | "PHONE_NUMBER" | "NAME"> = {
  EmailAddress: "EMAIL_ADDRESS",
  PersonalEmailAddress: "EMAIL_ADDRESS",
  BusinessEmailAddress: "EMAIL_ADDRESS",
  PhoneNumber: "PHONE_NUMBER",
  MobilePhoneNumber: "PHONE_NUMBER",
  HomePhoneNumber: "PHONE_NUMBER",
  BusinessPhoneNumber: "PHONE_NUMBER",
  FirstName: "NAME",
  MiddleName: "NAME",
  LastName: "NAME",
};

/** The object type's field name of a source field (letters, digits and _ only). */
export function fieldName(source: string): string {
  return source.replace(/[^\w]/g, "_");
}

let rowsMade = 0;

/** An empty row of the mapping editor, with an id of its own. */
export function newMappingRow(): MappingRow {
  rowsMade += 1;
  return { id: `row-${rowsMade}`, source: "", target: "", key: "" };
}

/** Problems of a mapping, for the Integration options page; [] when it can be saved. */
export function mappingErrors(name: string, rows: readonly MappingRow[]): string[] {
  const out: string[] = [];
  if (!/^[a-zA-Z_][a-zA-Z_0-9-]{0,254}$/.test(name))
    out.push("Enter an object type name: a letter or _, then letters, digits, _ or -.");
  if (rows.length === 0) out.push("Map at least one source field.");
  if (rows.some((r) => !r.source || !r.target))
    out.push("Every mapping needs a source field and a profile field.");
  if (!rows.some((r) => r.key !== ""))
    out.push("Choose at least one key: it is how objects find their profile.");
  const names = rows.map((r) => fieldName(r.source));
  if (new Set(names).size !== names.length) out.push("Map each source field once.");
  return out;
}

/** PutProfileObjectType of a mapping made in the editor. */
export function mappingObjectType(
  domain: string,
  name: string,
  object: string,
  rows: readonly MappingRow[],
): PutProfileObjectTypeCommandInput {
  const Fields: Record<string, ObjectTypeField> = {};
  const Keys: Record<string, ObjectTypeKey[]> = {};
  for (const r of rows) {
    const n = fieldName(r.source);
    const content = CONTENT[r.target.replace(/^_profile\./, "")];
    Fields[n] = {
      Source: `_source.${r.source}`,
      Target: r.target,
      ...(content ? { ContentType: content } : {}),
    };
    if (r.key)
      Keys[`_${n}`] = [{ StandardIdentifiers: r.key.split(",") as StandardIdentifier[], FieldNames: [n] }];
  }
  return {
    DomainName: domain,
    ObjectTypeName: name,
    Description: `${object} mapped in the console`,
    AllowProfileCreation: true,
    Fields,
    Keys,
  };
}
