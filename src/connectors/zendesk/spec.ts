import type { ErrorRule, ObjectSpec } from "../sdk/index.ts";

/** The objects this connector reads. */
export type ZendeskObject = "users" | "tickets";

/** Zendesk-specific facts of an object beyond the SDK's ObjectSpec. */
export interface ZendeskObjectSpec extends ObjectSpec {
  /** The cursor-based incremental export path. */
  readonly exportPath: string;
  /** The key of the records array in an export page. */
  readonly listKey: string;
  /** Fields Zendesk documents for the object (describe without a request). */
  readonly knownFields: readonly (readonly [name: string, type: string])[];
}

const minute = 60_000;
const common = {
  idField: "id",
  // sources.md §5.1: the vendor already holds back 1 min; the overlap covers late commits on our side.
  lookbackMs: 5 * minute,
  lagMs: minute,
  defaultPageSize: 1000,
  maxPageSize: 1000,
} as const;

export const objects: Readonly<Record<ZendeskObject, ZendeskObjectSpec>> = {
  users: {
    ...common,
    label: "User",
    cursorField: "updated_at",
    exportPath: "/api/v2/incremental/users/cursor.json",
    listKey: "users",
    knownFields: [
      ["id", "integer"],
      ["url", "string"],
      ["name", "string"],
      ["email", "string"],
      ["phone", "string"],
      ["external_id", "string"],
      ["organization_id", "integer"],
      ["role", "string"],
      ["active", "boolean"],
      ["verified", "boolean"],
      ["suspended", "boolean"],
      ["time_zone", "string"],
      ["iana_time_zone", "string"],
      ["locale", "string"],
      ["tags", "array"],
      ["notes", "string"],
      ["details", "string"],
      ["user_fields", "object"],
      ["created_at", "date-time"],
      ["updated_at", "date-time"],
    ],
  },
  tickets: {
    ...common,
    label: "Ticket",
    // The export compares start_time with generated_timestamp, which moves on system updates too.
    cursorField: "generated_timestamp",
    exportPath: "/api/v2/incremental/tickets/cursor.json",
    listKey: "tickets",
    knownFields: [
      ["id", "integer"],
      ["url", "string"],
      ["external_id", "string"],
      ["type", "string"],
      ["subject", "string"],
      ["description", "string"],
      ["priority", "string"],
      ["status", "string"],
      ["requester_id", "integer"],
      ["submitter_id", "integer"],
      ["assignee_id", "integer"],
      ["organization_id", "integer"],
      ["group_id", "integer"],
      ["tags", "array"],
      ["custom_fields", "array"],
      ["via", "object"],
      ["created_at", "date-time"],
      ["updated_at", "date-time"],
      ["generated_timestamp", "integer"],
    ],
  },
};

/** Zendesk's error table (sources.md §4.3), matched before the HTTP defaults. */
export const errorRules: readonly ErrorRule[] = [
  {
    status: 401,
    bodyIncludes: "invalid_token",
    class: "auth",
    reason: "OAuth access token expired or revoked",
  },
  { status: 401, class: "auth", reason: "email, API token or OAuth token rejected" },
  {
    status: 403,
    class: "config",
    reason: "the user lacks access (incremental exports need an admin and the read scope)",
  },
  { status: 404, class: "config", reason: "Zendesk account or resource not found" },
  { status: 409, class: "transient", reason: "conflict at the source" },
  { status: 429, class: "rate_limited", reason: "Zendesk API rate limit exceeded" },
  { status: [400, 422], class: "config", reason: "Zendesk refused the request" },
  { status: [500, 502, 503, 504], class: "transient", reason: "Zendesk failed" },
];

/** The OAuth token endpoint (grant_type refresh_token | client_credentials). */
export const tokenPath = "/oauth/tokens";

/** The current user: connection tests and the first look at the vendor's clock. */
export const mePath = "/api/v2/users/me.json";
