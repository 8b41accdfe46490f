import {
  type FieldDescription,
  type HttpClient,
  type ObjectDescription,
  objectDescription,
} from "../sdk/index.ts";
import { getEnvelope } from "./query.ts";
import { objects } from "./spec.ts";

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
  return { ...objectDescription("leads", objects.leads), fields };
}
