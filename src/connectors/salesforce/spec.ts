import type { ErrorRule, ObjectSpec } from "../sdk/index.ts";

/** The objects this connector reads. */
export type SalesforceObject = "Account" | "Contact" | "Asset" | "Case";

/** Salesforce-specific facts of an object beyond the SDK's ObjectSpec. */
interface SalesforceObjectSpec extends ObjectSpec {
  /** Fields a flow needs; test connection names the first one the user cannot read. */
  readonly requiredFields: readonly string[];
}

const minute = 60_000;
const common = {
  cursorField: "SystemModstamp", // set by users and automation alike; LastModifiedDate can be back-dated
  idField: "Id",
  lookbackMs: 10 * minute, // sources.md §5.1: overlap 5–15 min (late-committed SystemModstamp)
  lagMs: 2 * minute, // and lag 1–2 min
  defaultPageSize: 2000, // REST batch: Sforce-Query-Options batchSize 200–2000
  maxPageSize: 2000,
} as const;

export const objects: Readonly<Record<SalesforceObject, SalesforceObjectSpec>> = {
  Account: { ...common, label: "Account", requiredFields: ["Name"] },
  Contact: { ...common, label: "Contact", requiredFields: ["Email", "FirstName", "LastName", "AccountId"] },
  Asset: { ...common, label: "Asset", requiredFields: ["Name", "ContactId", "AccountId"] },
  Case: { ...common, label: "Case", requiredFields: ["ContactId", "AccountId", "SuppliedEmail"] },
};

/** Tuning of the Salesforce connector; every field has a default. */
export interface SalesforceOptions {
  /** REST API version used for every call (Bulk results must be read with the job's version). */
  readonly apiVersion?: string;
  /** Windows holding at least this many rows are read through Bulk API 2.0 (AppFlow switches at 1,000,000). */
  readonly bulkThreshold?: number;
  /** Rows per Bulk 2.0 results request (`maxRecords`) when the read asks for no page size. */
  readonly bulkPageSize?: number;
  /** Longest wait for a Bulk job to complete before it is aborted (ms of the timer). */
  readonly bulkMaxWaitMs?: number;
  /** On QUERY_TIMEOUT, halve the rest of the window inside the read instead of throwing QueryTimeoutError. */
  readonly splitOnQueryTimeout?: boolean;
  /** Sub-windows are never halved below this span (ms); past it QueryTimeoutError is thrown. */
  readonly minSplitMs?: number;
  /** Share of the daily API allocation left for others: the connector stops (quota_exhausted) before it. */
  readonly quotaReserve?: number;
  /** The rolling 24 h allocation has no reset time: pause this long, then probe again. */
  readonly quotaPauseMs?: number;
  /** Also read `sobjects/{o}/deleted` (last 15 days) for records already purged from the Recycle Bin. */
  readonly deletedEndpoint?: boolean;
}

/** SalesforceOptions with every default filled in. */
export type SalesforceSettings = Required<SalesforceOptions>;

/** The defaults of SalesforceOptions. */
export const defaultSettings: SalesforceSettings = {
  apiVersion: "62.0",
  bulkThreshold: 1_000_000,
  bulkPageSize: 10_000,
  bulkMaxWaitMs: 30 * minute,
  splitOnQueryTimeout: false,
  minSplitMs: minute,
  quotaReserve: 0.05,
  quotaPauseMs: 60 * minute,
  deletedEndpoint: true,
};

/**
 * Salesforce's error table (sources.md §1.3) by `errorCode`; `classifySalesforce` reads the code from the body.
 * QUERY_TIMEOUT and INVALID_QUERY_LOCATOR are `config` here so the HTTP client does not repeat them: the read
 * reacts (split the window / re-query from the keyset).
 */
export const errorCodeClass: Readonly<Record<string, { cls: ErrorRule["class"]; reason: string }>> = {
  INVALID_SESSION_ID: { cls: "auth", reason: "session expired or invalid" },
  QUERY_TIMEOUT: { cls: "config", reason: "the query ran too long: split the window" },
  INVALID_QUERY_LOCATOR: { cls: "config", reason: "query locator expired or invalid" },
  INVALID_FIELD: { cls: "config", reason: "a field does not exist or the user cannot read it" },
  INVALID_TYPE: { cls: "config", reason: "the object does not exist or the user cannot read it" },
  MALFORMED_QUERY: { cls: "bug", reason: "the connector sent a malformed SOQL query" },
  INVALIDENTITY: { cls: "config", reason: "the object cannot be read through Bulk API" },
  API_DISABLED_FOR_ORG: { cls: "config", reason: "the API is not enabled for this org" },
  API_CURRENTLY_DISABLED: { cls: "config", reason: "the API is disabled for this user" },
  TXN_SECURITY_METERING_ERROR: { cls: "config", reason: "blocked by a transaction security policy" },
  SERVER_UNAVAILABLE: { cls: "transient", reason: "Salesforce is unavailable" },
  UNABLE_TO_LOCK_ROW: { cls: "transient", reason: "row lock contention" },
  NOT_FOUND: { cls: "config", reason: "not found" },
};

/** HTTP fallbacks when the body carries no known errorCode. */
export const errorRules: readonly ErrorRule[] = [
  { status: 401, class: "auth", reason: "session expired or invalid" },
  { status: [406, 420], class: "transient", reason: "Salesforce asked to retry" },
  { status: 403, class: "config", reason: "the user lacks permission" },
  { status: 404, class: "config", reason: "instance or resource not found" },
];

/** Path of the OAuth token endpoint on the login host (login/test.salesforce.com or My Domain). */
export const tokenPath = "/services/oauth2/token";
