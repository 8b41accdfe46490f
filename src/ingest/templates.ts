import { deepFreeze } from "../core/deep-freeze.ts";
import { invalid } from "../core/errors.ts";
import type { ObjectTypeDefinition, ObjectTypeTemplate } from "./object-type.ts";
import { marketoLeads } from "./templates/marketo.ts";
import { salesforceAccount, salesforceAsset, salesforceContact } from "./templates/salesforce.ts";
import { servicenowIncident, servicenowSysUser, servicenowTask } from "./templates/servicenow.ts";
import { zendeskTickets, zendeskUsers } from "./templates/zendesk.ts";

const TEMPLATES: readonly ObjectTypeTemplate[] = [
  salesforceAccount,
  salesforceContact,
  salesforceAsset,
  zendeskUsers,
  zendeskTickets,
  servicenowSysUser,
  servicenowTask,
  servicenowIncident,
  marketoLeads,
].map(deepFreeze);

const BY_ID = new Map(TEMPLATES.map((t) => [t.TemplateId, t]));

/** The nine built-in templates, in a stable order (ListProfileObjectTypeTemplates). Frozen. */
export function listTemplates(): readonly ObjectTypeTemplate[] {
  return TEMPLATES;
}

/** One built-in template by its exact TemplateId, or undefined. Frozen. */
export function getTemplate(templateId: string): ObjectTypeTemplate | undefined {
  return BY_ID.get(templateId);
}

/** The definition an object type named like a template has without being defined, or undefined. */
export function implicitObjectType(objectTypeName: string): ObjectTypeDefinition | undefined {
  if (!BY_ID.has(objectTypeName)) return undefined;
  return {
    ObjectTypeName: objectTypeName,
    Description: `Implicit object type from template ${objectTypeName}`,
    TemplateId: objectTypeName,
  };
}

/**
 * The definition with its template's AllowProfileCreation, SourceLastUpdatedTimestampFormat, Fields
 * and Keys filled in (a definition without TemplateId comes back unchanged). Throws for an unknown
 * template; validateObjectType has already refused those.
 */
export function resolveObjectType(def: ObjectTypeDefinition): ObjectTypeDefinition {
  if (def.TemplateId === undefined) return def;
  const t = BY_ID.get(def.TemplateId);
  if (!t) throw invalid("TemplateId", `no template is named ${def.TemplateId}`);
  return {
    ...def,
    AllowProfileCreation: t.AllowProfileCreation,
    SourceLastUpdatedTimestampFormat: t.SourceLastUpdatedTimestampFormat,
    Fields: t.Fields,
    Keys: t.Keys,
  };
}
