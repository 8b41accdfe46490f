import {
  type FieldDescription,
  type HttpClient,
  isConnectorError,
  type ObjectDescription,
  objectDescription,
} from "../sdk/index.ts";
import { fetchTable } from "./query.ts";
import { objects, type ServiceNowObject, tablePath } from "./spec.ts";

// The dictionary types of the fields we know, for when sys_dictionary cannot be read (the values still arrive as
// strings; the type tells a caller which filters make sense: DescribeConnectorEntity's filterOperators).
const dictionaryTypes: Record<string, string> = {
  sys_created_on: "glide_date_time",
  sys_updated_on: "glide_date_time",
  opened_at: "glide_date_time",
  resolved_at: "glide_date_time",
  closed_at: "glide_date_time",
  sys_mod_count: "integer",
  active: "boolean",
  locked_out: "boolean",
};

/**
 * An object with its fields: from `sys_dictionary` (the table and its parents) when the user may read it,
 * else from the keys of one row plus the fields we know (typed where we know the dictionary type, else "string").
 */
export async function describeServiceNowObject(
  http: HttpClient,
  name: ServiceNowObject,
): Promise<ObjectDescription> {
  const o = objects[name];
  const head = objectDescription(name, o);
  try {
    const { rows } = await fetchTable(
      http,
      "sys_dictionary",
      `nameIN${o.ancestry.join(",")}^elementISNOTEMPTY^ORDERBYelement`,
      5000,
      0,
    );
    const fields = new Map<string, FieldDescription>();
    for (const r of rows) {
      const element = r["element"];
      if (typeof element !== "string" || element === "") continue;
      const label = r["column_label"];
      fields.set(element, {
        name: element,
        type: typeof r["internal_type"] === "string" ? (r["internal_type"] as string) : "string",
        ...(typeof label === "string" ? { label } : {}),
      });
    }
    if (fields.size > 0) return { ...head, fields: [...fields.values()] };
  } catch (e) {
    if (!isConnectorError(e, "config")) throw e; // no access to sys_dictionary: fall back below
  }
  const res = await http.request({ path: tablePath(name), query: { sysparm_limit: 1 } });
  const row = ((res.body as { result?: Record<string, unknown>[] } | undefined)?.result ?? [])[0] ?? {};
  const names = new Set([...o.knownFields, ...Object.keys(row)]);
  return {
    ...head,
    fields: [...names].sort().map((n) => ({ name: n, type: dictionaryTypes[n] ?? "string" })),
  };
}
