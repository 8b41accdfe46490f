import { type ObjectDescription, objectDescription } from "../sdk/index.ts";
import { objects, type ZendeskObject } from "./spec.ts";

/**
 * An object with its standard fields, as Zendesk documents them. Custom user and ticket fields travel inside
 * `user_fields` / `custom_fields` and are not listed one by one.
 */
export function describeZendeskObject(name: ZendeskObject): ObjectDescription {
  const o = objects[name];
  return {
    ...objectDescription(name, o),
    fields: o.knownFields.map(([field, type]) => ({ name: field, type })),
  };
}
