import { type NormalizeOptions, normalizeKeyValue } from "./normalize-key-value.ts";
import type { ContentType } from "./object-type.ts";
import type { ProfileFields, ProfileStringField } from "./standard-fields.ts";

/** The predefined keys every profile is indexed under from its standard fields, with their content types. */
export const PREDEFINED_SEARCH_KEYS = {
  _email: "EMAIL_ADDRESS",
  _phone: "PHONE_NUMBER",
  _fullName: "NAME",
  _account: "STRING",
  _profileId: "STRING",
} as const satisfies Record<string, ContentType>;
export type PredefinedSearchKey = keyof typeof PREDEFINED_SEARCH_KEYS;

/** One key value computed from a profile's standard fields. */
export interface ProfileKey {
  name: PredefinedSearchKey;
  value: string;
  contentType: ContentType;
}

const SOURCES: ReadonlyArray<readonly [PredefinedSearchKey, readonly ProfileStringField[]]> = [
  ["_email", ["EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"]],
  ["_phone", ["PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"]],
  ["_account", ["AccountNumber"]],
];

/**
 * The predefined key values of a profile (for CreateProfile / UpdateProfile / derived fields):
 * `_email` and `_phone` from every email and phone field, `_account` from AccountNumber,
 * `_profileId` from ProfileId, and `_fullName` as "First Last" and, with a middle name, also
 * "First Middle Last". Values are normalized and deduplicated.
 */
export function profileKeys(
  profile: ProfileFields & { ProfileId?: string },
  options?: NormalizeOptions,
): ProfileKey[] {
  const out: ProfileKey[] = [];
  const seen = new Set<string>();
  const add = (name: PredefinedSearchKey, raw: string | undefined) => {
    if (raw === undefined) return;
    const contentType = PREDEFINED_SEARCH_KEYS[name];
    const value = normalizeKeyValue(contentType, raw, options);
    if (value === undefined || seen.has(name + "\u0000" + value)) return;
    seen.add(name + "\u0000" + value);
    out.push({ name, value, contentType });
  };
  for (const [name, fields] of SOURCES) for (const f of fields) add(name, profile[f]);
  const names = [profile.FirstName, profile.LastName].map((n) => n?.trim()).filter((n) => n);
  if (names.length > 0) add("_fullName", names.join(" "));
  const middle = profile.MiddleName?.trim();
  if (middle && names.length > 0) {
    add(
      "_fullName",
      [profile.FirstName?.trim(), middle, profile.LastName?.trim()].filter((n) => n).join(" "),
    );
  }
  add("_profileId", profile.ProfileId);
  return out;
}

/** The content type a search on `keyName` normalizes with: predefined keys first, then the given map. */
export function searchKeyContentType(
  keyName: string,
  definedKeys?: ReadonlyMap<string, ContentType>,
): ContentType {
  if (Object.hasOwn(PREDEFINED_SEARCH_KEYS, keyName))
    return PREDEFINED_SEARCH_KEYS[keyName as PredefinedSearchKey];
  return definedKeys?.get(keyName) ?? "STRING";
}
