import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";
import type { Leaves } from "./profile-fields.ts";

/**
 * Leaves are read on the ingest path (every profile a batch touches): the check is one pass over the
 * values (a plain object of strings), not a deep schema.
 */
const leaves = z.custom<Leaves>((v) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== "string") return false;
  return true;
}, "expected an object of string leaves");

/** `profiles.fields`: the effective standard fields as flat leaves. */
export const profileFieldsColumn = jsonColumn("profiles", "fields", leaves);
/** `profiles.manual`: leaves set by hand ("" marks a field cleared by hand). */
export const profileManualColumn = jsonColumn("profiles", "manual", leaves);
/** `profile_objects.fields`: the leaves an object feeds. */
export const objectFieldsColumn = jsonColumn("profile_objects", "fields", leaves);
