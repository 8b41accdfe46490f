import { z } from "zod";
import type { Json } from "../db/json-column.ts";
import type { Leaves } from "./profile-fields.ts";
import { sealedJsonColumn } from "./sealed-json-column.ts";

/**
 * Leaves are read on the ingest path (every profile a batch touches): the check is one pass over the
 * values (a plain object of strings), not a deep schema.
 */
const leaves = z.custom<Leaves>((v) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== "string") return false;
  return true;
}, "expected an object of string leaves");

/** `profiles.fields`: the effective standard fields as flat leaves (sealed under the domain's data key). */
export const profileFieldsColumn = sealedJsonColumn("profiles", "fields", leaves);
/** `profiles.manual`: leaves set by hand ("" marks a field cleared by hand). */
export const profileManualColumn = sealedJsonColumn("profiles", "manual", leaves);
/** `profile_objects.fields`: the leaves an object feeds. */
export const objectFieldsColumn = sealedJsonColumn("profile_objects", "fields", leaves);

/**
 * A profile's fields stored as the sealed text of its one object's fields, when they are exactly those
 * leaves (a profile created from one object): no second seal. Both columns hold the same kind of
 * document, which the domain's sealer binds to the kind rather than the column (`pfe3.`,
 * src/security/kms/data-key-box.ts KIND_OF_PLACE), so the text opens in either; in a domain without a
 * data key it is the same JSON.
 */
export function profileFieldsOfOneObject(
  objectFields: Json<"profile_objects.fields">,
): Json<"profiles.fields"> {
  return objectFields as string as Json<"profiles.fields">;
}
