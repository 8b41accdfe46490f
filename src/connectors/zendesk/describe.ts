import type { ObjectDescription } from "../sdk/index.ts";
import { objects, type ZendeskObject } from "./spec.ts";

/** The readable objects (no request needed). */
export function listZendeskObjects(): ObjectDescription[] {
  return Object.entries(objects).map(([name, o]) => ({
    name,
    label: o.label,
    cursorField: o.cursorField,
    idField: o.idField,
  }));
}

/**
 * An object with its standard fields, as Zendesk documents them. Custom user and ticket fields travel inside
 * `user_fields` / `custom_fields` and are not listed one by one.
 */
export function describeZendeskObject(name: ZendeskObject): ObjectDescription {
  const o = objects[name];
  return {
    name,
    label: o.label,
    cursorField: o.cursorField,
    idField: o.idField,
    fields: o.knownFields.map(([field, type]) => ({ name: field, type })),
  };
}
