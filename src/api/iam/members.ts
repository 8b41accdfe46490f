import { ProfileflowError } from "../../core/errors.ts";
import { parsePolicyDocument } from "../../iam/policy-document.ts";

/** A query-protocol request's members, by their wire names. */
export type Form = Record<string, string>;

interface Rule {
  pattern?: RegExp;
  /** The pattern as AWS's model states it, for the message. */
  patternText?: string;
  min?: number;
  max?: number;
}

/** AWS's name rules (IAM API reference, data types). */
export const NAME = { pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+", min: 1, max: 64 } as const;
export const POLICY_NAME = { ...NAME, max: 128 } as const;
export const PATH = {
  pattern: /^(\/|\/[\u0021-\u007E]+\/)$/,
  patternText: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
  min: 1,
  max: 512,
} as const;
export const ARN = { min: 20, max: 2048 } as const;
/** A role's description (the model's pattern: characters XML 1.0 can carry, Latin-1). */
export const ROLE_DESCRIPTION = {
  pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
  patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
  max: 1000,
} as const;
/** A managed policy's description: no model pattern, but it travels in XML, so XML 1.0's characters only. */
export const POLICY_DESCRIPTION = {
  pattern: /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u,
  patternText: "[\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*",
  max: 1000,
} as const;
export const DOCUMENT = { min: 1, max: 131_072 } as const;
export const SESSION_NAME = {
  pattern: /^[\w+=,.@-]*$/,
  patternText: "[\\w+=,.@-]*",
  min: 2,
  max: 64,
} as const;
export const ACCESS_KEY_ID = { pattern: /^[\w]+$/, patternText: "[\\w]+", min: 16, max: 128 } as const;

/** A required member, checked against its rule; AWS's "1 validation error detected" message otherwise. */
export function required(form: Form, name: string, rule: Rule = {}): string {
  const v = form[name];
  if (v === undefined)
    throw invalid(`Value null at '${camel(name)}' failed to satisfy constraint: Member must not be null`);
  return check(v, name, rule);
}

/** An optional member, checked against its rule when present. */
export function optional(form: Form, name: string, rule: Rule = {}): string | undefined {
  const v = form[name];
  return v === undefined ? undefined : check(v, name, rule);
}

/** An optional integer member within [min, max]. */
export function optionalInt(form: Form, name: string, min: number, max: number): number | undefined {
  const v = form[name];
  if (v === undefined) return undefined;
  const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min))
    throw invalid(
      `Value '${v}' at '${camel(name)}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    );
  if (n > max)
    throw invalid(
      `Value '${v}' at '${camel(name)}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  return n;
}

function check(v: string, name: string, rule: Rule): string {
  const shown = v.length > 100 ? `${v.slice(0, 100)}…` : v;
  if (rule.min !== undefined && v.length < rule.min) {
    throw invalid(
      `Value '${shown}' at '${camel(name)}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
    );
  }
  if (rule.max !== undefined && v.length > rule.max) {
    throw invalid(
      `Value '${shown}' at '${camel(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
    );
  }
  if (rule.pattern && !rule.pattern.test(v)) {
    throw invalid(
      `Value '${shown}' at '${camel(name)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.patternText}`,
    );
  }
  return v;
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function invalid(detail: string): ProfileflowError {
  return new ProfileflowError("VALIDATION_FAILED", `1 validation error detected: ${detail}`);
}

/** The PolicyDocument member, checked to be an identity-based policy. */
export function identityDocument(form: Form): string {
  const document = required(form, "PolicyDocument", DOCUMENT);
  parsePolicyDocument(document, "identity");
  return document;
}
