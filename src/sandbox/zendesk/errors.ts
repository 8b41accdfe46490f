/**
 * Zendesk's error responses. Most are JSON; the rate-limit 429 is plain text, as captured from the live API.
 */

/** A Zendesk error response. */
export interface ZendeskErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Record<string, unknown>;
}

/** 401 for a wrong email, API token or unknown bearer token. */
export function couldNotAuthenticate(): ZendeskErrorResponse {
  return { status: 401, headers: {}, body: { error: "Couldn't authenticate you" } };
}

/** 401 for an expired or revoked OAuth access token. */
export function invalidToken(): ZendeskErrorResponse {
  return {
    status: 401,
    headers: {},
    body: {
      error: "invalid_token",
      error_description:
        "The access token provided is expired, revoked, malformed or invalid for other reasons.",
    },
  };
}

/** 429 with `Retry-After`, text/plain body. */
export function tooManyRequests(retryAfterS: number): ZendeskErrorResponse {
  return {
    status: 429,
    headers: { "retry-after": String(retryAfterS), "content-type": "text/plain; charset=utf-8" },
    body: "Number of allowed API requests per minute exceeded",
  };
}

/** 400 for a bad or too recent `start_time`, or a cursor we did not issue. */
export function invalidValue(description: string): ZendeskErrorResponse {
  return { status: 400, headers: {}, body: { error: "InvalidValue", description } };
}

/** 404 for unknown paths and records. */
export function notFound(): ZendeskErrorResponse {
  return { status: 404, headers: {}, body: { error: "RecordNotFound", description: "Not found" } };
}

/** 503 transient failure (injected by the error-rate knob). */
export function unavailable(): ZendeskErrorResponse {
  return {
    status: 503,
    headers: { "retry-after": "1" },
    body: { error: "ServiceUnavailable", description: "Service temporarily unavailable" },
  };
}

/** The OAuth token endpoint's failure body. */
export function invalidGrant(): ZendeskErrorResponse {
  return {
    status: 400,
    headers: {},
    body: {
      error: "invalid_grant",
      error_description:
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    },
  };
}
