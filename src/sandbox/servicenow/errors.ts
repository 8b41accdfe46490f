/**
 * ServiceNow's error bodies: `{"error":{"message","detail"},"status":"failure"}` for the REST APIs, and the
 * OAuth servlet's own `{"error_description","error"}` shape for `/oauth_token.do`.
 */

/** A REST API error response. */
export interface ServiceNowErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; detail: string | null }; status: "failure" };
}

function failure(
  status: number,
  message: string,
  detail: string | null,
  headers: Record<string, string> = {},
) {
  return { status, headers, body: { error: { message, detail }, status: "failure" as const } };
}

/** 401 for missing, wrong or expired credentials (basic or bearer alike). */
export function notAuthenticated(): ServiceNowErrorResponse {
  return failure(401, "User Not Authenticated", "Required to provide Auth information");
}

/** 404 for a table the instance does not have. */
export function invalidTable(table: string): ServiceNowErrorResponse {
  return failure(404, `Invalid table ${table}`, null);
}

/** 404 for a single-record GET whose sys_id does not exist (or is hidden by ACLs). */
export function noRecord(): ServiceNowErrorResponse {
  return failure(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
}

/** 405 for methods the simulator does not serve on a table. */
export function methodNotAllowed(method: string): ServiceNowErrorResponse {
  return failure(
    405,
    "Method not Supported",
    `Requested method ${method} is not supported for this resource`,
  );
}

/** 429 from an inbound REST rate-limit rule, with the headers the platform sets. */
export function rateLimited(limit: number, retryAfterS: number, resetEpochS: number, ruleId: string) {
  return failure(
    429,
    "Rate limit exceeded",
    `Rate limit of ${limit} requests per hour for Table API exceeded`,
    {
      "retry-after": String(retryAfterS),
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-reset": String(resetEpochS),
      "x-ratelimit-rule": ruleId,
    },
  );
}

/** 500-class transient failure (injected by the error-rate knob). */
export function serverError(status = 500): ServiceNowErrorResponse {
  return failure(status, "Internal server error", "Transaction cancelled: maximum execution time exceeded");
}

/** The OAuth servlet's failure body (bad client, bad user, unknown or expired refresh token). */
export function oauthFailure(): { status: number; body: { error_description: string; error: string } } {
  return { status: 401, body: { error_description: "access_denied", error: "server_error" } };
}
