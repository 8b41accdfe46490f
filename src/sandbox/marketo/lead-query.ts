/**
 * Get Leads by Filter Type (`/rest/v1/leads.json`): parsing and validation of the query, and paging
 * of the matches with position tokens. Pure: the server supplies the matching leads.
 */
import { createHash } from "node:crypto";
import { MarketoError } from "./envelope.ts";
import { defaultLeadFields, leadField } from "./lead-fields.ts";
import { decodeLeadToken, encodeLeadToken } from "./paging-token.ts";

/** A parsed and validated `leads.json` request. */
export interface LeadQuery {
  filterType: string;
  filterValues: string[];
  fields: string[];
  batchSize: number;
  /** Index of the first match to return. */
  offset: number;
  /** Hash of (filterType, filterValues): tokens are only valid for the filter that issued them. */
  filterHash: string;
}

/** Most values one lookup may name, most leads per page, most matches one filter may have. */
export const leadLimits = { maxFilterValues: 300, maxBatchSize: 300, maxMatches: 1000 } as const;

const splitList = (s: string | undefined): string[] =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

/** Parses the query parameters of a leads.json call; throws MarketoError with Marketo's code. */
export function parseLeadQuery(params: Readonly<Record<string, string | undefined>>): LeadQuery {
  const filterType = params["filterType"]?.trim();
  if (!filterType) throw new MarketoError("1003", "filterType is required");
  const field = leadField(filterType);
  if (!field) throw new MarketoError("1006", `Field '${filterType}' not found`);
  if (!field.searchable) throw new MarketoError("1011", `Lookup field '${filterType}' not supported`);
  const filterValues = splitList(params["filterValues"]);
  if (filterValues.length === 0) throw new MarketoError("1003", "filterValues is required");
  if (filterValues.length > leadLimits.maxFilterValues) {
    throw new MarketoError("1003", `Number of filterValues exceeds ${leadLimits.maxFilterValues}`);
  }
  const named = splitList(params["fields"]);
  for (const name of named) {
    if (!leadField(name)) throw new MarketoError("1006", `Field '${name}' not found`);
  }
  const fields = named.length > 0 ? named : [...defaultLeadFields];
  const batchSize = parseBatchSize(params["batchSize"]);
  const filterHash = createHash("sha1")
    .update(`${filterType}\u0000${filterValues.join("\u0000")}`)
    .digest("hex")
    .slice(0, 16);
  let offset = 0;
  const token = params["nextPageToken"];
  if (token) {
    const pos = decodeLeadToken(token);
    if (!pos || pos.filter !== filterHash) throw new MarketoError("1003", "Invalid nextPageToken");
    offset = pos.offset;
  }
  return { filterType, filterValues, fields, batchSize, offset, filterHash };
}

/** Parses `batchSize` (1–300, default 300) as every Lead Database and activity call takes it. */
export function parseBatchSize(raw: string | undefined): number {
  if (raw === undefined || raw === "") return leadLimits.maxBatchSize;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > leadLimits.maxBatchSize) {
    throw new MarketoError("1003", `Invalid batchSize '${raw}', must be between 1 and 300`);
  }
  return n;
}

/** True when `lead` matches one of the query's values (email compares case-insensitively). */
export function leadMatches(q: LeadQuery, lead: Readonly<Record<string, unknown>>): boolean {
  const v = lead[q.filterType];
  if (v === undefined || v === null) return false;
  const text = String(v);
  if (q.filterType === "email") {
    const lower = text.toLowerCase();
    return q.filterValues.some((x) => x.toLowerCase() === lower);
  }
  return q.filterValues.includes(text);
}

/** One page of a lookup. */
export interface LeadPage {
  result: Record<string, unknown>[];
  moreResult: boolean;
  nextPageToken?: string;
}

/** Pages the matching leads (already ordered by id) and projects them onto the requested fields. */
export function pageLeads(q: LeadQuery, matches: readonly Readonly<Record<string, unknown>>[]): LeadPage {
  if (matches.length > leadLimits.maxMatches) {
    throw new MarketoError("1003", "Too many results match the filter");
  }
  const slice = matches.slice(q.offset, q.offset + q.batchSize);
  const result = slice.map((lead) => projectLead(lead, q.fields));
  const next = q.offset + slice.length;
  if (next < matches.length) {
    return {
      result,
      moreResult: true,
      nextPageToken: encodeLeadToken({ filter: q.filterHash, offset: next }),
    };
  }
  return { result, moreResult: false };
}

/** The lead reduced to `fields`; `id` always present, missing values as null like Marketo. */
export function projectLead(
  lead: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: lead["id"] };
  for (const name of fields) out[name] = lead[name] ?? null;
  return out;
}
