import { describe, expect, it } from "vitest";
import type { ObjectTypeTemplate } from "../../src/ingest/object-type.ts";
import {
  getTemplate,
  implicitObjectType,
  listTemplates,
  resolveObjectType,
} from "../../src/ingest/templates.ts";
import { validateObjectType } from "../../src/ingest/validate-object-type.ts";

const IDS = [
  "Salesforce-Account",
  "Salesforce-Contact",
  "Salesforce-Asset",
  "Zendesk-users",
  "Zendesk-tickets",
  "Servicenow-sys_user",
  "Servicenow-task",
  "Servicenow-incident",
  "Marketo-leads",
];
const PERSON = [
  "Salesforce-Account",
  "Salesforce-Contact",
  "Zendesk-users",
  "Servicenow-sys_user",
  "Marketo-leads",
];
const RECORD: Record<string, [string, "CASE" | "ASSET"]> = {
  "Salesforce-Asset": ["_salesforceAssetId", "ASSET"],
  "Zendesk-tickets": ["_zendeskTicketId", "CASE"],
  "Servicenow-task": ["_serviceNowTaskId", "CASE"],
  "Servicenow-incident": ["_serviceNowIncidentId", "CASE"],
};
const MODIFIED: Record<string, string> = {
  Salesforce: "_source.SystemModstamp",
  Zendesk: "_source.updated_at",
  Servicenow: "_source.sys_updated_on",
  Marketo: "_source.updatedAt",
};

const t = (id: string): ObjectTypeTemplate => getTemplate(id)!;
const ids = (id: string, keyName: string) => t(id).Keys[keyName]?.[0]?.StandardIdentifiers;
const uniqueKeys = (tpl: ObjectTypeTemplate) =>
  Object.entries(tpl.Keys).filter(([, l]) => l.some((k) => k.StandardIdentifiers?.includes("UNIQUE")));

describe("templates", () => {
  it("lists the nine templates in a stable order", () => {
    expect(listTemplates().map((x) => x.TemplateId)).toEqual(IDS);
    expect(getTemplate("salesforce-contact")).toBeUndefined();
  });

  it("are each a valid object type definition", () => {
    for (const { TemplateId, SourceName: _n, SourceObject: _o, ...rest } of listTemplates()) {
      const def = { ObjectTypeName: TemplateId, Description: "template", ...rest };
      expect(() => validateObjectType(def), TemplateId).not.toThrow();
    }
  });

  it("allow profile creation and read the vendor's modification time", () => {
    for (const tpl of listTemplates()) {
      expect(tpl.AllowProfileCreation).toBe(true);
      expect(tpl.Fields["sourceLastUpdatedTimestamp"]?.Source, tpl.TemplateId).toBe(MODIFIED[tpl.SourceName]);
      expect(tpl.SourceLastUpdatedTimestampFormat).toMatch(/yyyy/);
    }
  });

  it("make a person record's own id its PROFILE + UNIQUE key", () => {
    for (const id of PERSON) {
      const [[name, list]] = uniqueKeys(t(id)) as [[string, { StandardIdentifiers: string[] }[]]];
      expect(list[0]!.StandardIdentifiers, id).toEqual(["PROFILE", "UNIQUE"]);
      expect(name).toMatch(/Id$/);
    }
  });

  it("make a case or asset record's id UNIQUE with CASE or ASSET, and find its profile through a person key", () => {
    for (const [id, [keyName, kind]] of Object.entries(RECORD)) {
      expect(uniqueKeys(t(id)).map(([n]) => n)).toEqual([keyName]);
      expect(ids(id, keyName)).toEqual([kind, "UNIQUE"]);
      const profileKeys = Object.entries(t(id).Keys).filter(([, l]) =>
        l[0]?.StandardIdentifiers?.includes("PROFILE"),
      );
      expect(profileKeys.length, id).toBeGreaterThan(0);
    }
  });

  it("never match on an account id that many people share", () => {
    expect(ids("Salesforce-Contact", "_salesforceAccountId")).toEqual([]);
    expect(ids("Marketo-leads", "_salesforceAccountId")).toEqual([]);
  });

  it("match on keys that identify the same person in another system", () => {
    expect(ids("Marketo-leads", "_salesforceContactId")).toEqual(["PROFILE"]);
    expect(ids("Zendesk-tickets", "_zendeskUserId")).toEqual(["PROFILE"]);
    expect(ids("Servicenow-task", "_serviceNowSystemId")).toEqual(["PROFILE"]);
    expect(ids("Servicenow-incident", "_serviceNowSystemId")).toEqual(["PROFILE"]);
  });

  it("use the vendors' real field names, not the AWS tables' typos", () => {
    const sources = listTemplates().flatMap((tpl) => Object.values(tpl.Fields).map((f) => f.Source ?? ""));
    for (const typo of [
      "dataOfBirth",
      "postalcode",
      "open_by",
      ".link",
      "incident_status",
      "PersonBirthDate",
    ]) {
      expect(
        sources.filter((s) => s.includes(typo)),
        typo,
      ).toEqual([]);
    }
    expect(t("Marketo-leads").Fields["dateOfBirth"]?.Source).toBe("_source.dateOfBirth");
    expect(t("Servicenow-incident").Fields["ServiceNowSystemUserId"]?.Source).toBe("_source.caller_id.value");
    expect(t("Servicenow-task").Fields["ServiceNowSystemUserId"]?.Source).toBe("_source.opened_by.value");
  });

  it("derive PartyType from IsPersonAccount with a Handlebars conditional", () => {
    expect(t("Salesforce-Account").Fields["PartyType"]?.Source).toContain("{{#if _source.IsPersonAccount}}");
  });

  it("are frozen", () => {
    expect(Object.isFrozen(t("Salesforce-Contact").Fields["Email"])).toBe(true);
  });
});

describe("implicit object types", () => {
  it("exist for a name equal to a TemplateId and resolve to the template", () => {
    const def = implicitObjectType("Zendesk-users")!;
    expect(def).toMatchObject({ ObjectTypeName: "Zendesk-users", TemplateId: "Zendesk-users" });
    expect(() => validateObjectType(def)).not.toThrow();
    const resolved = resolveObjectType(def);
    expect(resolved.Keys).toBe(t("Zendesk-users").Keys);
    expect(resolved.AllowProfileCreation).toBe(true);
    expect(implicitObjectType("Contact")).toBeUndefined();
  });
});

describe("docs/templates.md", () => {
  it("shows every template field and key as the data has it", async () => {
    const { readFile } = await import("node:fs/promises");
    const doc = await readFile(new URL("../../docs/templates.md", import.meta.url), "utf8");
    for (const tpl of listTemplates()) {
      const section = doc.split(`### ${tpl.TemplateId}\n`)[1]?.split("\n### ")[0] ?? "";
      expect(section, tpl.TemplateId).toContain(`\`${tpl.SourceLastUpdatedTimestampFormat}\``);
      for (const [name, f] of Object.entries(tpl.Fields)) {
        const target = f.Target ? `\`${f.Target}\`` : "—";
        expect(section, `${tpl.TemplateId}.${name}`).toContain(`| ${name} | \`${f.Source}\` | ${target} |`);
      }
      for (const [name, [k]] of Object.entries(tpl.Keys) as [string, [{ StandardIdentifiers: string[] }]][]) {
        const ids = k.StandardIdentifiers.length ? k.StandardIdentifiers.join(", ") : "(none: search only)";
        expect(section, `${tpl.TemplateId}.${name}`).toContain(`| \`${name}\` | ${ids} |`);
      }
    }
  });
});
