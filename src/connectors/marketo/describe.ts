import type { FieldDescription, HttpClient, ObjectDescription } from "../sdk/index.ts";
import { getEnvelope } from "./query.ts";
import { objects } from "./spec.ts";

/** The readable objects (no request needed). */
export function listMarketoObjects(): ObjectDescription[] {
  const o = objects.leads;
  return [{ name: "leads", label: o.label, cursorField: o.cursorField, idField: o.idField }];
}

/** Leads with every field of the instance (`leads/describe.json`: REST name, display name, data type). */
export async function describeMarketoLeads(http: HttpClient): Promise<ObjectDescription> {
  const env = await getEnvelope(http, "/rest/v1/leads/describe.json", {});
  const fields: FieldDescription[] = [];
  for (const f of env.result) {
    const rest = f["rest"] as { name?: unknown } | undefined;
    if (typeof rest?.name !== "string") continue; // SOAP-only fields cannot be read over REST
    fields.push({
      name: rest.name,
      type: typeof f["dataType"] === "string" ? (f["dataType"] as string) : "string",
      ...(typeof f["displayName"] === "string" ? { label: f["displayName"] as string } : {}),
    });
  }
  return { ...listMarketoObjects()[0]!, fields };
}
