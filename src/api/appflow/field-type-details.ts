import type { SourceConnectorType } from "../../flows/flow-definition.ts";
import { supportedOperators } from "../../flows/validate-tasks.ts";

/** AppFlow's FieldTypeDetails (the `v1` of SupportedFieldTypeDetails, the only version botocore models). */
export interface FieldTypeDetails {
  fieldType: string;
  filterOperators: string[];
  supportedValues?: string[];
}

type Kind = "boolean" | "number" | "date" | "text";

// Vendor type names (Salesforce describe, ServiceNow internal_type, Marketo dataType, Zendesk docs), lower-cased.
const kinds: Record<string, Kind> = {
  boolean: "boolean",
  bool: "boolean",
  checkbox: "boolean",
  int: "number",
  integer: "number",
  long: "number",
  double: "number",
  decimal: "number",
  float: "number",
  currency: "number",
  percent: "number",
  number: "number",
  score: "number",
  date: "date",
  datetime: "date",
  glide_date: "date",
  glide_date_time: "date",
  glide_time: "date",
  due_date: "date",
  time: "date",
};

// Filter operators the flow engine applies to a record's value (src/flows/tasks/compile-tasks.ts), per kind.
const ordered = [
  "EQUAL_TO",
  "NOT_EQUAL_TO",
  "LESS_THAN",
  "GREATER_THAN",
  "LESS_THAN_OR_EQUAL_TO",
  "GREATER_THAN_OR_EQUAL_TO",
  "BETWEEN",
] as const;
const byKind: Record<Kind, readonly string[]> = {
  boolean: ["EQUAL_TO", "NOT_EQUAL_TO"],
  number: ordered,
  date: ordered,
  text: ["EQUAL_TO", "NOT_EQUAL_TO", "CONTAINS"],
};

/**
 * The field's type as the vendor names it, with the filter operators a Filter task of this connector accepts
 * (validate-tasks) and the engine applies to a value of that kind.
 */
export function fieldTypeDetails(connector: SourceConnectorType, vendorType: string): FieldTypeDetails {
  const kind = kinds[vendorType.toLowerCase()] ?? "text";
  const allowed = supportedOperators[connector];
  return {
    fieldType: vendorType,
    filterOperators: byKind[kind].filter((op) => allowed.has(op)),
    ...(kind === "boolean" ? { supportedValues: ["true", "false"] } : {}),
  };
}
