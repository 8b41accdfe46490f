import type { ErrorRule, ObjectSpec } from "../sdk/index.ts";

/** The objects this connector reads (deleted leads arrive as delete events of `leads`). */
export type MarketoObject = "leads";

const minute = 60_000;
const day = 86_400_000;

/** Marketo's numbers (sources.md §3.2–3.3) and the share of them this connector allows itself. */
export const marketoLimits = {
  /** Calls per 20 s shared by every integration of the instance is 100; Marketo asks each for ≤ 50. */
  callsPer20s: 50,
  /** Bulk filters span at most 31 days; peers use 30 to stay clear of zone and rounding questions. */
  bulkWindowMs: 30 * day,
  /** Bulk job status changes at most once a minute: never poll faster. */
  statusPollMs: minute,
  /** Give up on one export job after this long in Queued/Processing (tap-marketo: 3 h). */
  jobTimeoutMs: 3 * 3_600_000,
  /** Ids per `leads.json?filterType=id` call, and items per activities page. */
  batchSize: 300,
  /** 606 is a 20-second window. */
  rateWindowMs: 20_000,
  /** 615: back off a few seconds (sources.md §5.3: 5–10 s). */
  concurrencyBackoffMs: 5_000,
  /** 1029 "Too many jobs in queue": the queue moves at job speed, so wait a minute per try. */
  queueFullBackoffMs: minute,
} as const;

/**
 * The zone where Marketo's daily quotas (607, 1029 export bytes) reset at midnight. Marketo documents
 * "12:00 AM CST" for every subscription; an instance's own zone is not consulted (documented assumption).
 */
export const quotaTimeZone = "America/Chicago";

/** The lead fields read (REST names) with the Marketo data type of each, for CSV typing and describe. */
export const leadFields: readonly (readonly [name: string, type: string])[] = [
  ["id", "integer"],
  ["email", "email"],
  ["firstName", "string"],
  ["middleName", "string"],
  ["lastName", "string"],
  ["phone", "phone"],
  ["mobilePhone", "phone"],
  ["gender", "string"],
  ["dateOfBirth", "date"],
  ["company", "string"],
  ["title", "string"],
  ["address", "string"],
  ["city", "string"],
  ["state", "string"],
  ["country", "string"],
  ["postalCode", "string"],
  ["billingStreet", "string"],
  ["billingCity", "string"],
  ["billingState", "string"],
  ["billingCountry", "string"],
  ["billingPostalCode", "string"],
  ["leadSource", "string"],
  ["unsubscribed", "boolean"],
  ["sfdcContactId", "string"],
  ["sfdcAccountId", "string"],
  ["createdAt", "datetime"],
  ["updatedAt", "datetime"],
];

/** Every field name read, in CSV column order. */
export const leadFieldNames: readonly string[] = leadFields.map(([n]) => n);

/** The fields whose changes `leadchanges.json` must report (every readable field but the system ones). */
export const changeFieldNames: readonly string[] = leadFieldNames.filter(
  (n) => n !== "id" && n !== "createdAt" && n !== "updatedAt",
);

export const objects: Readonly<Record<MarketoObject, ObjectSpec>> = {
  leads: {
    label: "Lead",
    cursorField: "updatedAt",
    idField: "id",
    lookbackMs: 5 * minute, // sources.md §5.1: 5 min for leadchanges
    lagMs: minute,
    defaultPageSize: 300,
    maxPageSize: 300,
  },
};

/** HTTP-level errors (Marketo's own errors are HTTP 200 + success:false, see errors.ts). */
export const errorRules: readonly ErrorRule[] = [
  { status: 401, class: "auth", reason: "client id or client secret rejected" },
  { status: 414, class: "bug", reason: "request URI over 8 KB" },
  { status: 404, class: "config", reason: "Marketo instance or resource not found" },
  { status: [502, 503, 504], class: "transient", reason: "Marketo failed" },
];

/** The identity service (client_credentials, GET or POST). */
export const tokenPath = "/identity/oauth/token";
