import type { z } from "zod";
import { invalid } from "../core/errors.ts";
import type { FieldMap, KeyMap, ObjectTypeDefinition } from "./object-type.ts";
import { SOURCE_TIMESTAMP_FIELD } from "./object-type.ts";
import { objectTypeDefinitionSchema } from "./object-type-schema.ts";
import { checkSource } from "./source-accessor.ts";
import { parseTarget } from "./standard-fields.ts";
import { getTemplate } from "./templates.ts";
import { compileTimestampFormat } from "./timestamp-format.ts";

// Members a template supplies; sending them with TemplateId is refused, as the AWS model doc allows.
const TEMPLATE_MEMBERS = [
  "AllowProfileCreation",
  "SourceLastUpdatedTimestampFormat",
  "Fields",
  "Keys",
] as const;

/**
 * Checks a PutProfileObjectType request (body plus ObjectTypeName) and returns it typed; throws
 * ProfileflowError VALIDATION_FAILED with `details.member` naming the exact member path, such as
 * `Fields.Email.ContentType` or `Keys._email[0].FieldNames[1]`.
 */
export function validateObjectType(input: unknown): ObjectTypeDefinition {
  const parsed = objectTypeDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const member = memberPath(issue.path);
    throw invalid(member || "(body)", `${member || "the request"}: ${issue.message}`);
  }
  const def = stripUndefined(parsed.data) as ObjectTypeDefinition;
  if (def.ObjectTypeName.startsWith("_")) {
    throw invalid("ObjectTypeName", "object type names starting with _ are reserved for standard types");
  }
  if (def.TemplateId !== undefined) {
    if (!getTemplate(def.TemplateId)) throw invalid("TemplateId", `no template is named ${def.TemplateId}`);
    const clash = TEMPLATE_MEMBERS.find((m) => def[m] !== undefined);
    if (clash) throw invalid("TemplateId", `TemplateId supplies ${clash}; send one or the other`);
  }
  checkFields(def.Fields ?? {}, def.SourceLastUpdatedTimestampFormat);
  checkKeys(def.Keys ?? {}, def.Fields ?? {});
  return def;
}

function checkFields(fields: FieldMap, format: string | undefined): void {
  for (const [name, f] of Object.entries(fields)) {
    const sourceProblem = f.Source === undefined ? undefined : checkSource(f.Source);
    if (sourceProblem) throw invalid(`Fields.${name}.Source`, sourceProblem);
    if (f.Target !== undefined) {
      const target = parseTarget(f.Target);
      if (typeof target === "string") throw invalid(`Fields.${name}.Target`, target);
    }
  }
  if (format !== undefined) {
    const parser = compileTimestampFormat(format);
    if (typeof parser === "string") throw invalid("SourceLastUpdatedTimestampFormat", parser);
  } else if (fields[SOURCE_TIMESTAMP_FIELD] !== undefined) {
    throw invalid("SourceLastUpdatedTimestampFormat", `a ${SOURCE_TIMESTAMP_FIELD} field needs a format`);
  }
}

function checkKeys(keys: KeyMap, fields: FieldMap): void {
  let uniqueAt: string | undefined;
  for (const [name, list] of Object.entries(keys)) {
    if (list.length === 0) throw invalid(`Keys.${name}`, "a key has at least one element");
    list.forEach((k, i) => {
      const at = `Keys.${name}[${i}]`;
      const fieldNames = k.FieldNames ?? [];
      if (fieldNames.length === 0) throw invalid(`${at}.FieldNames`, "a key names at least one field");
      fieldNames.forEach((f, j) => {
        if (!Object.hasOwn(fields, f)) throw invalid(`${at}.FieldNames[${j}]`, `no field is named ${f}`);
      });
      const ids = k.StandardIdentifiers ?? [];
      if (new Set(ids).size !== ids.length) {
        throw invalid(`${at}.StandardIdentifiers`, "an identifier is listed twice");
      }
      if (ids.includes("UNIQUE")) {
        if (uniqueAt) throw invalid(`${at}.StandardIdentifiers`, `only one UNIQUE key; ${uniqueAt} is one`);
        uniqueAt = at;
      }
    });
  }
}

/** `["Fields","Email","ContentType"]` → `Fields.Email.ContentType`; list indexes as `[n]`. */
function memberPath(path: z.core.$ZodIssue["path"]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += (out ? "." : "") + String(p);
  }
  return out;
}

function stripUndefined<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] === undefined) delete obj[k];
  return obj;
}
