/**
 * Marketo's response envelope. Response-level errors are HTTP 200 with `success:false` and codes as
 * strings, so clients must read the body, never the status, to see a failure.
 */

/** The response-level codes the simulator emits, with Marketo's message text. */
export const marketoErrorMessages = {
  "600": "Empty access token",
  "601": "Access token invalid",
  "602": "Access token expired",
  "603": "Access denied",
  "604": "Request timed out",
  "605": "Request method not supported",
  "606": "Max rate limit '100' exceeded with in '20' secs",
  "607": "Daily quota reached",
  "608": "API Temporarily Unavailable",
  "609": "Invalid JSON",
  "610": "Requested resource not found",
  "611": "System error",
  "615": "Concurrent access limit reached",
  "701": "Field cannot be blank",
  "713": "Transient Error",
  "1003": "Invalid data",
  "1006": "Field not found",
  "1011": "Lookup field not supported",
  "1029": "Too many jobs in queue",
  "1035": "Unsupported filter type for target subscription",
} as const;

export type MarketoErrorCode = keyof typeof marketoErrorMessages;

/** A response-level failure; the server turns it into a 200 envelope. */
export class MarketoError extends Error {
  readonly code: MarketoErrorCode;
  constructor(code: MarketoErrorCode, message?: string) {
    super(message ?? marketoErrorMessages[code]);
    this.name = "MarketoError";
    this.code = code;
  }
}

/** One `{code, message}` member of `errors`. */
export interface MarketoErrorItem {
  code: string;
  message: string;
}

/** The JSON body of every REST and bulk JSON response. */
export interface MarketoEnvelope {
  requestId: string;
  success: boolean;
  result?: unknown[];
  errors?: MarketoErrorItem[];
  warnings?: string[];
  nextPageToken?: string;
  moreResult?: boolean;
  [extra: string]: unknown;
}

let requestSeq = 0;

/** A request id in Marketo's `<hex>#<hex>` shape: a counter, then the clock in hex milliseconds. */
export function requestId(nowMs: number): string {
  requestSeq = (requestSeq + 1) % 0x10000;
  return `${requestSeq.toString(16).padStart(4, "0")}#${nowMs.toString(16)}`;
}

/** A successful envelope; `extra` adds `nextPageToken`, `moreResult` and the like. */
export function success(
  nowMs: number,
  result?: unknown[],
  extra: Record<string, unknown> = {},
): MarketoEnvelope {
  const body: MarketoEnvelope = { requestId: requestId(nowMs), success: true };
  if (result !== undefined) body.result = result;
  return { ...body, ...extra };
}

/** A failed envelope carrying one error. */
export function failure(nowMs: number, code: MarketoErrorCode, message?: string): MarketoEnvelope {
  return {
    requestId: requestId(nowMs),
    success: false,
    errors: [{ code, message: message ?? marketoErrorMessages[code] }],
  };
}

/** The envelope for any thrown value: MarketoErrors keep their code, anything else is 611. */
export function failureFrom(nowMs: number, e: unknown): MarketoEnvelope {
  if (e instanceof MarketoError) return failure(nowMs, e.code, e.message);
  return failure(nowMs, "611");
}
