import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";

/** Properties or credentials of a connector profile, keyed by the properties key (Salesforce, ServiceNow, …). */
export const connectorMembersSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

/** `connector_profiles.properties` (no secrets). */
export const connectorPropertiesColumn = jsonColumn(
  "connector_profiles",
  "properties",
  connectorMembersSchema,
);
