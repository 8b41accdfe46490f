import {
  ConnectorError,
  type FieldDescription,
  isConnectorError,
  type ObjectDescription,
  objectDescription,
} from "../sdk/index.ts";
import type { SalesforceApi } from "./query.ts";
import { objects, type SalesforceObject } from "./spec.ts";

/** What describe says about an object, as the reader needs it. */
export interface ObjectFields {
  readonly fields: readonly FieldDescription[];
  /** Fields to SELECT: everything readable except compound and binary fields (Bulk cannot read those). */
  readonly select: readonly string[];
  /** Field name → Salesforce type, to give Bulk CSV cells their REST types. */
  readonly types: ReadonlyMap<string, string>;
  readonly queryable: boolean;
}

const unselectable = new Set(["address", "location", "base64", "complexvalue"]);

/**
 * `sobjects/{o}/describe`: the fields this user can see (field-level security hides the others, which is
 * how "user lacks read access to Contact.Email" shows).
 */
export async function fetchObjectFields(api: SalesforceApi, name: SalesforceObject): Promise<ObjectFields> {
  let body: { fields?: Array<Record<string, unknown>>; queryable?: boolean };
  try {
    body = (await api.get(`sobjects/${name}/describe`)).body as typeof body;
  } catch (e) {
    if (isConnectorError(e, "config") && (e.status === 404 || e.status === 403)) {
      throw new ConnectorError("config", `user lacks read access to object ${name}: ${e.message}`, {
        ...(e.status === undefined ? {} : { status: e.status }),
        cause: e,
      });
    }
    throw e;
  }
  const fields: FieldDescription[] = [];
  const types = new Map<string, string>();
  const select: string[] = [];
  for (const f of body?.fields ?? []) {
    if (typeof f["name"] !== "string" || typeof f["type"] !== "string") continue;
    const label = f["label"];
    fields.push({ name: f["name"], type: f["type"], ...(typeof label === "string" ? { label } : {}) });
    types.set(f["name"], f["type"]);
    if (!unselectable.has(f["type"])) select.push(f["name"]);
  }
  for (const must of ["Id", "SystemModstamp", "IsDeleted"]) {
    if (!types.has(must)) throw new ConnectorError("config", `user lacks read access to ${name}.${must}`);
  }
  return { fields, select, types, queryable: body?.queryable !== false };
}

/** An object with its fields. */
export async function describeSalesforceObject(
  api: SalesforceApi,
  name: SalesforceObject,
): Promise<ObjectDescription> {
  const { fields } = await fetchObjectFields(api, name);
  return { ...objectDescription(name, objects[name]), fields };
}
