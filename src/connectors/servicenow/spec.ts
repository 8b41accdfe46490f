import type { ErrorRule, ObjectSpec } from "../sdk/index.ts";

/** The objects this connector reads. */
export type ServiceNowObject = "sys_user" | "task" | "incident";

/** ServiceNow-specific facts of an object beyond the SDK's ObjectSpec. */
export interface ServiceNowObjectSpec extends ObjectSpec {
  /** `sys_audit_delete.tablename` values whose rows are deletions of this object (child tables included). */
  readonly deleteTables: readonly string[];
  /** The table and its parents, for sys_dictionary look-ups. */
  readonly ancestry: readonly string[];
  /** Fields we know exist, used when sys_dictionary cannot be read. */
  readonly knownFields: readonly string[];
}

const minute = 60_000;
const common = {
  cursorField: "sys_updated_on",
  idField: "sys_id",
  lookbackMs: 5 * minute, // sources.md §5.1: overlap 5 min
  lagMs: minute, // and lag 1 min
  defaultPageSize: 1000, // ≤ 1000 recommended; the 10,000 default is slow
  maxPageSize: 10_000,
} as const;
const sysFields = ["sys_id", "sys_created_on", "sys_updated_on", "sys_mod_count", "sys_class_name"];

export const objects: Readonly<Record<ServiceNowObject, ServiceNowObjectSpec>> = {
  sys_user: {
    ...common,
    label: "User",
    deleteTables: ["sys_user", "customer_contact"],
    ancestry: ["sys_user"],
    knownFields: [
      ...sysFields,
      ...["user_name", "first_name", "middle_name", "last_name", "name", "email", "phone", "mobile_phone"],
      ...["home_phone", "street", "city", "state", "zip", "country", "company", "department", "title"],
      ...["active", "locked_out"],
    ],
  },
  task: {
    ...common,
    label: "Task",
    deleteTables: ["task", "incident"],
    ancestry: ["task"],
    knownFields: [...sysFields, "number", "short_description", "description", "state", "active", "opened_at"],
  },
  incident: {
    ...common,
    label: "Incident",
    deleteTables: ["incident"],
    ancestry: ["incident", "task"],
    knownFields: [
      ...sysFields,
      ...["number", "caller_id", "short_description", "description", "category", "state", "incident_state"],
      ...["priority", "impact", "urgency", "opened_by", "assigned_to", "active", "resolved_at", "closed_at"],
    ],
  },
};

/** ServiceNow's error table (sources.md §2.3), matched before the HTTP defaults. */
export const errorRules: readonly ErrorRule[] = [
  { status: 401, class: "auth", reason: "username, password or token rejected" },
  {
    status: 403,
    class: "config",
    reason: "the user lacks read access (ACL, role or REST API access policy)",
  },
  { status: 404, bodyIncludes: "Invalid table", class: "config", reason: "table not found on this instance" },
  { status: 404, class: "config", reason: "instance or resource not found" },
  { status: 429, class: "rate_limited", reason: "inbound REST rate limit exceeded" },
  { status: [400, 405, 406, 415], class: "config", reason: "the instance refused the request" },
  {
    status: 500,
    bodyIncludes: "maximum execution time",
    class: "transient",
    reason: "transaction quota cancelled",
  },
  { status: [500, 502, 503, 504], class: "transient", reason: "the instance failed" },
];

/** Path of the Table API for a table (v2: an empty result is `200 {"result":[]}`, never 404). */
export const tablePath = (table: string): string => `/api/now/v2/table/${encodeURIComponent(table)}`;

/** The OAuth token endpoint (form-encoded only). */
export const tokenPath = "/oauth_token.do";
