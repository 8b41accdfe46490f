/**
 * The one registry of error codes. Every error the engine raises carries a stable code from here;
 * HTTP statuses and AWS exception names are assigned only at the API edge (src/api/error-envelope.ts),
 * from the code's `kind`. Tests assert codes, never message text.
 */
export type ErrorKind =
  | "invalid" // the caller sent something wrong (400)
  | "not_found" // the named resource does not exist (404)
  | "unknown_operation" // no operation is served at this method and path (404 UnknownOperationException)
  | "conflict" // the resource exists or is in a state that forbids this (409 / 400)
  | "auth" // authentication failed (403)
  | "denied" // authenticated but not allowed (403)
  | "throttled" // slow down (429)
  | "quota" // a service quota is used up (402)
  | "unsupported" // valid but not supported for this resource (400)
  | "connector_auth" // the source rejected our credentials (401)
  | "connector" // the source failed or refused (400)
  | "internal"; // a bug or an unexpected failure (500)

export const errorRegistry = {
  VALIDATION_FAILED: { kind: "invalid", summary: "a request member is missing, malformed or out of range" },
  MALFORMED_JSON: { kind: "invalid", summary: "the request body is not valid JSON" },
  BODY_TOO_LARGE: { kind: "invalid", summary: "the request body is larger than the edge accepts" },
  CONFIG_INVALID: { kind: "invalid", summary: "a configuration value is unknown or invalid" },
  RESOURCE_NOT_FOUND: { kind: "not_found", summary: "the named resource does not exist" },
  UNKNOWN_OPERATION: { kind: "unknown_operation", summary: "no operation is served at this method and path" },
  URI_TOO_LONG: {
    kind: "invalid",
    summary: "the request line or a path parameter is longer than the edge accepts",
  },
  HEADERS_TOO_LARGE: { kind: "invalid", summary: "the request headers are larger than the edge accepts" },
  REQUEST_TIMEOUT: {
    kind: "invalid",
    summary: "the request did not arrive in full within the request timeout",
  },
  MALFORMED_HTTP: {
    kind: "invalid",
    summary: "the request is not well-formed HTTP (bad content-length, URL, header)",
  },
  ALREADY_EXISTS: { kind: "conflict", summary: "a resource with this name already exists" },
  CONFLICT: { kind: "conflict", summary: "the resource's state forbids this operation" },
  MISSING_AUTHENTICATION_TOKEN: { kind: "auth", summary: "the request is not signed" },
  UNRECOGNIZED_CLIENT: { kind: "auth", summary: "the access key id is not known" },
  INVALID_SIGNATURE: { kind: "auth", summary: "the signature does not match, or has expired" },
  ACCESS_DENIED: { kind: "denied", summary: "the caller is not allowed to do this" },
  MALFORMED_POLICY_DOCUMENT: {
    kind: "invalid",
    summary: "a policy document is not valid JSON or breaks the IAM policy grammar",
  },
  EXPIRED_TOKEN: { kind: "auth", summary: "the temporary credentials (session token) have expired" },
  THROTTLED: { kind: "throttled", summary: "too many requests" },
  QUOTA_EXCEEDED: { kind: "quota", summary: "a service quota is used up" },
  UNSUPPORTED_OPERATION: { kind: "unsupported", summary: "not supported for this resource" },
  CONNECTOR_AUTHENTICATION: { kind: "connector_auth", summary: "the source rejected the credentials" },
  CONNECTOR_SERVER: { kind: "connector", summary: "the source failed or refused the request" },
  INTERNAL: { kind: "internal", summary: "an unexpected failure" },
  KMS_DISABLED: { kind: "denied", summary: "the KMS key is disabled (KMS DisabledException)" },
  KMS_INVALID_STATE: {
    kind: "denied",
    summary: "the KMS key's state forbids this, e.g. it is pending deletion (KMS KMSInvalidStateException)",
  },
  KMS_INVALID_CIPHERTEXT: {
    kind: "invalid",
    summary: "a ciphertext is not one KMS made, was changed, or its encryption context differs",
  },
  KMS_INCORRECT_KEY: { kind: "invalid", summary: "the ciphertext was not encrypted under the KMS key named" },
  KMS_INVALID_ARN: { kind: "invalid", summary: "a KMS key or alias ARN is not well formed" },
  KMS_INVALID_ALIAS_NAME: { kind: "invalid", summary: "a KMS alias name is not well formed or is reserved" },
  KMS_INVALID_GRANT_ID: { kind: "invalid", summary: "no grant of the KMS key has this id" },
  KMS_INVALID_GRANT_TOKEN: { kind: "invalid", summary: "a KMS grant token is not valid" },
  KMS_TAG: { kind: "invalid", summary: "a KMS tag is not valid (a tag key beginning with aws: is reserved)" },
  STORED_DATA_INVALID: {
    kind: "internal",
    summary: "a stored value does not have the shape its column holds (details name the table and column)",
  },
} as const satisfies Record<string, { kind: ErrorKind; summary: string }>;

export type ErrorCode = keyof typeof errorRegistry;

/** An error with a stable code from the registry, plus optional structured details. */
export class ProfileflowError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProfileflowError";
    this.code = code;
    this.details = details;
  }

  /** The registry's kind for this error's code. */
  get kind(): ErrorKind {
    return errorRegistry[this.code].kind;
  }
}

/** True when `e` is a ProfileflowError, optionally with the given code. */
export function isProfileflowError(e: unknown, code?: ErrorCode): e is ProfileflowError {
  return e instanceof ProfileflowError && (code === undefined || e.code === code);
}

/** Shorthand for the most common failure: a named member is invalid. */
export function invalid(member: string, message: string): ProfileflowError {
  return new ProfileflowError("VALIDATION_FAILED", message, { member });
}

/** Shorthand: the named resource does not exist. */
export function notFound(message: string, details?: Record<string, unknown>): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", message, details);
}
