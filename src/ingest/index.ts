/** The ingest module's public surface: object types, templates, mapping and key normalization. */
export {
  COMPOSITE_KEY_SEPARATOR,
  type CompiledObjectType,
  type CompileOptions,
  compileObjectType,
} from "./compile-object-type.ts";
export type { MappedKey, MappedObject, MapResult, RecordError, RecordErrorCode } from "./mapped-object.ts";
export {
  DEFAULT_PHONE_REGION,
  type NormalizeOptions,
  normalizeKeyValue,
  normalizePhone,
  wellFormedText,
} from "./normalize-key-value.ts";
export {
  CONTENT_TYPES,
  type ContentType,
  type FieldMap,
  type KeyMap,
  MAX_KEYS_PER_OBJECT_TYPE,
  type ObjectTypeDefinition,
  type ObjectTypeField,
  type ObjectTypeKey,
  type ObjectTypeTemplate,
  SOURCE_TIMESTAMP_FIELD,
  STANDARD_IDENTIFIERS,
  type StandardIdentifier,
} from "./object-type.ts";
export * from "./object-type-schema.ts";
export {
  PREDEFINED_SEARCH_KEYS,
  type PredefinedSearchKey,
  type ProfileKey,
  profileKeys,
  searchKeyContentType,
} from "./search-keys.ts";
export type { Address, AssetFields, CaseFields, ProfileFields } from "./standard-fields.ts";
export { getTemplate, implicitObjectType, listTemplates, resolveObjectType } from "./templates.ts";
export { compileTimestampFormat, type TimestampParser } from "./timestamp-format.ts";
export { validateObjectType } from "./validate-object-type.ts";
