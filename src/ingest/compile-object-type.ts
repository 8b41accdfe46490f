import type { CountryCode } from "libphonenumber-js";
import type { MappedKey, MapResult, RecordError, RecordErrorCode } from "./mapped-object.ts";
import { DEFAULT_PHONE_REGION, normalizeKeyValue } from "./normalize-key-value.ts";
import type { ContentType, ObjectTypeDefinition, StandardIdentifier } from "./object-type.ts";
import { SOURCE_TIMESTAMP_FIELD } from "./object-type.ts";
import { compileSource, type SourceAccessor, toText } from "./source-accessor.ts";
import type { AssetFields, CaseFields, ProfileFields } from "./standard-fields.ts";
import { compileTarget, type MapOutput, type TargetSetter } from "./target-setter.ts";
import { resolveObjectType } from "./templates.ts";
import { compileTimestampFormat, type TimestampParser } from "./timestamp-format.ts";

/** Options fixed when an object type is compiled. */
export interface CompileOptions {
  /** Region for phone numbers without a country code; default US. */
  defaultRegion?: CountryCode;
}

/** An object type compiled once: its mapping runs per record without re-reading the definition. */
export interface CompiledObjectType {
  /** The definition with its template expanded. */
  readonly definition: ObjectTypeDefinition;
  readonly allowProfileCreation: boolean;
  /** Whether the type has a UNIQUE key (every object it accepts then carries its value). */
  readonly hasUniqueKey: boolean;
  /** Content type of every key this type defines (composite keys are STRING); for normalizing searches. */
  readonly keyContentTypes: ReadonlyMap<string, ContentType>;
  /** Maps one record (an object, or the JSON text of one); bad records come back as `ok: false`. */
  map(raw: unknown): MapResult;
}

interface CompiledField {
  name: string;
  read: SourceAccessor;
  setter: TargetSetter | undefined;
  contentType: ContentType;
}

interface CompiledKey {
  name: string;
  fields: readonly number[];
  identifiers: readonly StandardIdentifier[];
  contentType: ContentType;
  unique: boolean;
}

/** Separator of the parts of a composite key's value (a key over several FieldNames). */
export const COMPOSITE_KEY_SEPARATOR = "|";

/** Compiles a validated object type definition (templates are expanded here). */
export function compileObjectType(
  input: ObjectTypeDefinition,
  options: CompileOptions = {},
): CompiledObjectType {
  const def = resolveObjectType(input);
  const region = options.defaultRegion ?? DEFAULT_PHONE_REGION;
  const normalize = { defaultRegion: region };
  const fieldEntries = Object.entries(def.Fields ?? {});
  const index = new Map(fieldEntries.map(([name], i) => [name, i]));
  const fields: CompiledField[] = fieldEntries.map(([name, f]) => ({
    name,
    read: f.Source === undefined ? () => undefined : compileSource(f.Source),
    setter: f.Target === undefined ? undefined : compileTarget(f.Target),
    contentType: f.ContentType ?? "STRING",
  }));
  const keys: CompiledKey[] = Object.entries(def.Keys ?? {}).flatMap(([name, list]) =>
    list.map((k) => {
      const idx = (k.FieldNames ?? []).map((f) => index.get(f)!);
      return {
        name,
        fields: idx,
        identifiers: Object.freeze([...(k.StandardIdentifiers ?? [])]),
        contentType: idx.length === 1 ? fields[idx[0]!]!.contentType : "STRING",
        unique: (k.StandardIdentifiers ?? []).includes("UNIQUE"),
      };
    }),
  );
  const keyContentTypes = new Map(keys.map((k) => [k.name, k.contentType]));
  const timestampIndex = index.get(SOURCE_TIMESTAMP_FIELD);
  const parseTimestamp = compileFormat(def.SourceLastUpdatedTimestampFormat);
  const firstOf = (ct: ContentType) => fields.findIndex((f) => f.contentType === ct);
  const emailIndex = firstOf("EMAIL_ADDRESS");
  const phoneIndex = firstOf("PHONE_NUMBER");
  const hasCase = fields.some((f) => f.setter && def.Fields?.[f.name]?.Target?.startsWith("_case."));
  const hasAsset = fields.some((f) => f.setter && def.Fields?.[f.name]?.Target?.startsWith("_asset."));

  function map(raw: unknown): MapResult {
    const parsed = asRecord(raw);
    if (!parsed.ok) return parsed;
    const record = parsed.record;
    const values: (string | undefined)[] = new Array(fields.length);
    const out: MapOutput = { profile: {}, case: hasCase ? {} : undefined, asset: hasAsset ? {} : undefined };
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      let v: string | undefined;
      try {
        v = toText(f.read(record));
      } catch (e) {
        return fail("MAPPING_FAILED", `${f.name}: ${(e as Error).message}`, f.name);
      }
      values[i] = v;
      if (v !== undefined && f.setter) f.setter(out, v);
    }
    const mappedKeys: MappedKey[] = [];
    let uniqueKey: { name: string; value: string } | undefined;
    for (const k of keys) {
      const value = keyValue(k, values);
      if (value === undefined) {
        if (k.unique) {
          const missing =
            fields[k.fields.find((i) => keyPart(i, values) === undefined) ?? k.fields[0]!]!.name;
          return fail("UNIQUE_KEY_MISSING", `the UNIQUE key ${k.name} needs a value for ${missing}`, missing);
        }
        continue;
      }
      mappedKeys.push({ name: k.name, value, identifiers: k.identifiers, contentType: k.contentType });
      if (k.unique) uniqueKey = { name: k.name, value };
    }
    const result: MapResult = {
      ok: true,
      profile: out.profile as ProfileFields,
      keys: mappedKeys,
      inferred: {},
    };
    if (out.case) result.case = out.case as CaseFields;
    if (out.asset) result.asset = out.asset as AssetFields;
    if (uniqueKey) result.uniqueKey = uniqueKey;
    if (timestampIndex !== undefined && parseTimestamp) {
      const text = values[timestampIndex];
      if (text !== undefined) {
        const ms = parseTimestamp(text);
        if (ms === undefined) {
          const why = `"${text}" does not fit ${def.SourceLastUpdatedTimestampFormat}`;
          return fail("SOURCE_TIMESTAMP_UNPARSABLE", why, SOURCE_TIMESTAMP_FIELD);
        }
        result.sourceTimestamp = ms;
      }
    }
    const email = emailIndex < 0 ? undefined : values[emailIndex];
    const phone = phoneIndex < 0 ? undefined : values[phoneIndex];
    if (email !== undefined) result.inferred.EmailAddress = email;
    if (phone !== undefined) result.inferred.PhoneNumber = phone;
    return result;
  }

  function keyPart(i: number, values: readonly (string | undefined)[]): string | undefined {
    const v = values[i];
    return v === undefined ? undefined : normalizeKeyValue(fields[i]!.contentType, v, normalize);
  }

  function keyValue(k: CompiledKey, values: readonly (string | undefined)[]): string | undefined {
    if (k.fields.length === 1) return keyPart(k.fields[0]!, values);
    const parts: string[] = [];
    for (const i of k.fields) {
      const p = keyPart(i, values);
      if (p === undefined) return undefined;
      parts.push(p);
    }
    return parts.join(COMPOSITE_KEY_SEPARATOR);
  }

  return {
    definition: def,
    allowProfileCreation: def.AllowProfileCreation ?? false,
    hasUniqueKey: keys.some((k) => k.unique),
    keyContentTypes,
    map,
  };
}

function compileFormat(format: string | undefined): TimestampParser | undefined {
  if (format === undefined) return undefined;
  const parser = compileTimestampFormat(format);
  if (typeof parser === "string") throw new Error(`invalid SourceLastUpdatedTimestampFormat: ${parser}`);
  return parser;
}

function asRecord(raw: unknown): { ok: true; record: Record<string, unknown> } | RecordError {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return fail("OBJECT_NOT_JSON", `the object is not JSON: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("OBJECT_NOT_AN_OBJECT", "the object is not a JSON object");
  }
  return { ok: true, record: value as Record<string, unknown> };
}

function fail(code: RecordErrorCode, message: string, field?: string): RecordError {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}
