import { createHash } from "node:crypto";
import { ADDRESS_FIELDS } from "../standard-fields.ts";
import { type MatchValueKind, normalizeMatchValue } from "./normalize-match-value.ts";

/**
 * The compiled form of a domain's `RuleBasedMatching`: which profile leaves each rule attribute reads
 * and how its values are normalized. Each rule is indexed as ONE composite key per object, named
 * `_m.<hash of the rule>`, whose value is the rule's normalized attribute values joined: two profiles
 * satisfy a rule exactly when they hold an equal value of its key. One index probe per rule value finds
 * every candidate (blocking by the whole rule), so a common first name never fans out. Pure: used by
 * ingestion, the backfill job and validation alike.
 */

/** The matching attribute types and the profile members each may be represented by (AttributeTypesSelector). */
export const ATTRIBUTE_TYPE_MEMBERS = {
  EmailAddress: ["EmailAddress", "BusinessEmailAddress", "PersonalEmailAddress"],
  PhoneNumber: ["PhoneNumber", "HomePhoneNumber", "MobilePhoneNumber", "BusinessPhoneNumber"],
  // AWS spells the mailing address "MaillingAddress" in this list; both spellings are accepted.
  Address: [
    "Address",
    "BusinessAddress",
    "MaillingAddress",
    "MailingAddress",
    "ShippingAddress",
    "BillingAddress",
  ],
} as const;

export type AttributeType = keyof typeof ATTRIBUTE_TYPE_MEMBERS;

const PLAIN: Record<string, MatchValueKind> = {
  FirstName: "name",
  MiddleName: "name",
  LastName: "name",
  BusinessName: "name",
  BirthDate: "date",
  AccountNumber: "text",
  Gender: "text",
};

/** Rule attributes that identify a person on their own (with the guards); the others only corroborate. */
const IDENTIFYING = new Set(["EmailAddress", "PhoneNumber", "AccountNumber"]);
/** Rule attributes that are names: a rule of names only lists matches but never merges. */
const NAMES = new Set(["FirstName", "MiddleName", "LastName", "BusinessName"]);

/** Why a rule attribute name is not allowed, or undefined when it is. */
export function ruleAttributeProblem(name: string): string | undefined {
  if (name in PLAIN || name === "EmailAddress" || name === "PhoneNumber" || name === "Address")
    return undefined;
  if (name.startsWith("Address.")) {
    const part = name.slice(8);
    return (ADDRESS_FIELDS as readonly string[]).includes(part)
      ? undefined
      : `Address part ${part} is not one of ${ADDRESS_FIELDS.join(", ")}`;
  }
  if (name.startsWith("Attributes.")) {
    return /^Attributes\.[a-zA-Z0-9_.-]{1,255}$/.test(name)
      ? undefined
      : "a custom attribute is named Attributes.<name> (letters, digits, _ . -)";
  }
  return `${name} is not a matching attribute (FirstName, MiddleName, LastName, BirthDate, Gender, EmailAddress, PhoneNumber, BusinessName, AccountNumber, Address, Address.<part>, Attributes.<name>)`;
}

/** One attribute of a rule, compiled. */
export interface RuleAttribute {
  name: string;
  kind: MatchValueKind;
  identifying: boolean;
  /** The profile members (leaves, or address groups for `Address`) its values are read from. */
  members: string[];
  /** ONE_TO_ONE: values of different members never agree. */
  oneToOne: boolean;
}

/** One rule: its level (index + 1), attributes and the key its composite values are indexed under. */
export interface CompiledRule {
  level: number;
  attributes: RuleAttribute[];
  /** Only names: never merges, whatever the merging level. */
  namesOnly: boolean;
  keyName: string;
}

/** The settings the matcher acts on. */
export interface MatchingRules {
  enabled: boolean;
  rules: CompiledRule[];
  mergeLevel: number;
  matchLevel: number;
  conflict: { model: "RECENCY" | "SOURCE"; sourceName?: string };
  /** Every key name the attributes index values under. */
  keyNames: string[];
}

/** The wire RuleBasedMatching members the compiler reads (already validated). */
export interface RuleBasedMatchingWire {
  Enabled?: boolean;
  MatchingRules?: { Rule: string[] }[];
  MaxAllowedRuleLevelForMerging?: number;
  MaxAllowedRuleLevelForMatching?: number;
  AttributeTypesSelector?: {
    AttributeMatchingModel: "ONE_TO_ONE" | "MANY_TO_MANY";
    Address?: string[];
    PhoneNumber?: string[];
    EmailAddress?: string[];
  };
  ConflictResolution?: { ConflictResolvingModel: "RECENCY" | "SOURCE"; SourceName?: string };
}

/** The key-name prefix of matching values (dots never occur in the key names an object type may define). */
export const MATCH_KEY_PREFIX = "_m.";

/** Compiles a validated RuleBasedMatching; a disabled or rule-less one matches nothing. */
export function compileMatchingRules(wire: RuleBasedMatchingWire | undefined): MatchingRules {
  const rulesWire = wire?.MatchingRules ?? [];
  const selector = wire?.AttributeTypesSelector;
  const manyToMany = selector?.AttributeMatchingModel === "MANY_TO_MANY";
  // Without a selector, each type is its base member only (the conservative reading of AWS's default).
  const members = (t: AttributeType): string[] => {
    const chosen = selector?.[t] ?? [t];
    return chosen.map((m) => (m === "MaillingAddress" ? "MailingAddress" : m));
  };
  const compileAttr = (name: string): RuleAttribute => {
    if (name === "EmailAddress" || name === "PhoneNumber") {
      return {
        name,
        kind: name === "EmailAddress" ? "email" : "phone",
        identifying: true,
        members: members(name),
        oneToOne: !manyToMany,
      };
    }
    if (name === "Address" || name.startsWith("Address.")) {
      const part = name === "Address" ? "" : name.slice(8);
      return {
        name,
        kind: "address",
        identifying: false,
        members: members("Address").map((m) => (part ? `${m}.${part}` : m)),
        oneToOne: !manyToMany,
      };
    }
    return {
      name,
      kind: name.startsWith("Attributes.") ? "text" : (PLAIN[name] ?? "text"),
      identifying: IDENTIFYING.has(name) || name.startsWith("Attributes."),
      members: [name],
      oneToOne: false,
    };
  };
  const rules = rulesWire.map((r, i) => {
    const attributes = [...new Set(r.Rule)].map(compileAttr);
    const keyName = `${MATCH_KEY_PREFIX}${createHash("sha256")
      .update(JSON.stringify(attributes.map((a) => [a.name, a.members, a.oneToOne])))
      .digest("hex")
      .slice(0, 12)}`;
    return { level: i + 1, attributes, namesOnly: attributes.every((a) => NAMES.has(a.name)), keyName };
  });
  const keyNames = [...new Set(rules.map((r) => r.keyName))];
  const matchLevel = Math.min(wire?.MaxAllowedRuleLevelForMatching ?? rules.length, rules.length);
  const mergeLevel = Math.min(wire?.MaxAllowedRuleLevelForMerging ?? 0, matchLevel);
  const conflict: MatchingRules["conflict"] = {
    model: wire?.ConflictResolution?.ConflictResolvingModel ?? "RECENCY",
  };
  if (wire?.ConflictResolution?.SourceName !== undefined)
    conflict.sourceName = wire.ConflictResolution.SourceName;
  return {
    enabled: wire?.Enabled === true && rules.length > 0,
    rules,
    mergeLevel,
    matchLevel,
    conflict,
    keyNames,
  };
}

/** One normalized matching value of a profile or object. */
export interface MatchValue {
  keyName: string;
  value: string;
  /** How `profile_keys` stores it (its blind index), when the writer computed that already. */
  stored?: string;
}

/** Separates the attribute values inside a rule's composite value. */
const SEP = "\u001f";
/** At most this many composite values per rule and object (attributes with several members multiply). */
const MAX_COMBINATIONS = 16;

/**
 * The matching values of a set of profile leaves (`FirstName`, `Address.City`, `Attributes.x`): per
 * rule whose every attribute has a value, the composite values of the rule (every combination when an
 * attribute has values in several members; under ONE_TO_ONE each value is tagged with its member).
 */
export function matchValues(rules: MatchingRules, leaves: Readonly<Record<string, string>>): MatchValue[] {
  const out: MatchValue[] = [];
  const seen = new Set<string>();
  // By attribute name: rules share attributes (the full name in five rules, email and phone in three)
  // and each is compiled per rule, but its values are the same (`attrKey` below) — normalized once.
  const attrValues = new Map<string, string[]>();
  const valuesOf = (attr: RuleAttribute): string[] => {
    const key = attrKey(attr);
    let vals = attrValues.get(key);
    if (vals) return vals;
    const set = new Set<string>();
    for (const member of attr.members) {
      const raw = attr.name === "Address" ? wholeAddress(leaves, member) : leaves[member];
      if (raw === undefined || raw === "") continue;
      const v = attr.name === "Address" ? raw : normalizeMatchValue(attr.kind, raw);
      if (v !== undefined) set.add(attr.oneToOne ? `${member}=${v}` : v);
    }
    vals = [...set];
    attrValues.set(key, vals);
    return vals;
  };
  for (const rule of rules.rules) {
    let combos: string[][] = [[]];
    for (const attr of rule.attributes) {
      const vals = valuesOf(attr);
      if (vals.length === 0) {
        combos = [];
        break;
      }
      combos = combos.flatMap((c) => vals.map((v) => [...c, v])).slice(0, MAX_COMBINATIONS);
    }
    for (const c of combos) {
      const value = c.join(SEP);
      const k = `${rule.keyName}\u0000${value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ keyName: rule.keyName, value });
    }
  }
  return out;
}

/** What an attribute's values depend on: its name (kind), members and model. */
function attrKey(attr: RuleAttribute): string {
  return attr.members.length === 1 && attr.members[0] === attr.name && !attr.oneToOne
    ? attr.name
    : `${attr.name}\u0000${attr.oneToOne}\u0000${attr.members.join("\u0000")}`;
}

/** The attribute values of a rule's composite value, by attribute name. */
export function decodeRuleValue(rule: CompiledRule, value: string): Record<string, string> {
  const parts = value.split(SEP);
  const out: Record<string, string> = {};
  rule.attributes.forEach((a, i) => {
    const p = parts[i] ?? "";
    out[a.name] = a.oneToOne ? p.slice(p.indexOf("=") + 1) : p;
  });
  return out;
}

/**
 * A whole address as one comparable value: street line, city, postal code (first five characters) and
 * state, each normalized; undefined unless the street line and the city or postal code are present.
 */
function wholeAddress(leaves: Readonly<Record<string, string>>, member: string): string | undefined {
  const part = (p: string) => {
    const v = leaves[`${member}.${p}`];
    return v === undefined ? undefined : normalizeMatchValue("address", v);
  };
  const street = part("Address1");
  const city = part("City");
  const postal = part("PostalCode")?.replace(/\s/g, "").slice(0, 5);
  if (street === undefined || (city === undefined && postal === undefined)) return undefined;
  return [street, city ?? "", postal ?? "", part("State") ?? ""].join("|");
}
