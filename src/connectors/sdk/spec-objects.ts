import { ConnectorError } from "./connector-error.ts";
import type { ObjectSpec } from "./define-connector.ts";
import type { ObjectDescription } from "./types.ts";

/** An object of the spec as a description without fields (no request needed). */
export function objectDescription(name: string, o: ObjectSpec): ObjectDescription {
  return { name, label: o.label, cursorField: o.cursorField, idField: o.idField };
}

/** Every object of the spec, as `listObjects` answers. */
export function objectDescriptions(objects: Readonly<Record<string, ObjectSpec>>): ObjectDescription[] {
  return Object.entries(objects).map(([name, o]) => objectDescription(name, o));
}

/** `name` when the spec has such an object; a config error naming the vendor otherwise. */
export function checkedObject<O extends string>(
  vendor: string,
  objects: Readonly<Record<O, ObjectSpec>>,
  name: string,
): O {
  if (!Object.hasOwn(objects, name))
    throw new ConnectorError("config", `${vendor} object ${name} is not supported`);
  return name as O;
}
