import { type ErrorCode, ProfileflowError } from "../../core/errors.ts";

/**
 * The one classification of every upstream failure. The class decides what the caller does:
 * transient → back off and retry; rate_limited → wait (Retry-After) and retry; quota_exhausted →
 * pause until `resetAt`, no attempt used; auth → refresh once, then stop; config → stop and tell the
 * user; record → hand the bad record on (dead letter) and go on; bug → fail loudly.
 */
export type ConnectorErrorClass =
  | "transient"
  | "rate_limited"
  | "quota_exhausted"
  | "auth"
  | "config"
  | "record"
  | "bug";

const codeOf: Record<ConnectorErrorClass, ErrorCode> = {
  transient: "CONNECTOR_SERVER",
  rate_limited: "THROTTLED",
  quota_exhausted: "QUOTA_EXCEEDED",
  auth: "CONNECTOR_AUTHENTICATION",
  config: "CONNECTOR_SERVER",
  record: "CONNECTOR_SERVER",
  bug: "INTERNAL",
};

/** Optional facts about a classified failure. */
interface ConnectorErrorInfo {
  /** HTTP status, when the failure was an HTTP response. */
  readonly status?: number;
  /** The vendor's own error code (`INVALID_SESSION_ID`, `607`, ...). */
  readonly vendorCode?: string;
  /** How long the vendor asked us to wait, in ms. */
  readonly retryAfterMs?: number;
  /** quota_exhausted: when the quota resets (epoch ms); the flow pauses until then. */
  readonly resetAt?: number;
  /** record: the id of the bad record, when it has one. */
  readonly recordId?: string;
  readonly cause?: unknown;
}

/** A classified connector failure; `class` says what to do about it, `message` is the precise reason. */
export class ConnectorError extends ProfileflowError {
  readonly class: ConnectorErrorClass;
  readonly status: number | undefined;
  readonly vendorCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly resetAt: number | undefined;
  readonly recordId: string | undefined;

  constructor(cls: ConnectorErrorClass, message: string, info: ConnectorErrorInfo = {}) {
    const details: Record<string, unknown> = { class: cls };
    if (info.status !== undefined) details["status"] = info.status;
    if (info.vendorCode !== undefined) details["vendorCode"] = info.vendorCode;
    if (info.resetAt !== undefined) details["resetAt"] = info.resetAt;
    super(codeOf[cls], message, details, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = "ConnectorError";
    this.class = cls;
    this.status = info.status;
    this.vendorCode = info.vendorCode;
    this.retryAfterMs = info.retryAfterMs;
    this.resetAt = info.resetAt;
    this.recordId = info.recordId;
  }
}

/** True when `e` is a ConnectorError, optionally of the given class. */
export function isConnectorError(e: unknown, cls?: ConnectorErrorClass): e is ConnectorError {
  return e instanceof ConnectorError && (cls === undefined || e.class === cls);
}
