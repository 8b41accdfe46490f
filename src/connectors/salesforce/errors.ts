import {
  type ClassifyHook,
  ConnectorError,
  classifyResponse,
  type ResponseFacts,
  sanitizeVendorCode,
  sanitizeVendorText,
  type TimeWindow,
} from "../sdk/index.ts";
import type { QuotaGuard } from "./quota-guard.ts";
import { errorCodeClass, errorRules } from "./spec.ts";

/**
 * A window whose query ran past Salesforce's limit (QUERY_TIMEOUT). Class `transient`; a caller reacts by
 * reading `halves` (or any smaller windows) instead of repeating the same window.
 */
export class QueryTimeoutError extends ConnectorError {
  readonly window: TimeWindow;
  readonly halves: readonly [TimeWindow, TimeWindow];

  constructor(window: TimeWindow, cause?: unknown) {
    super(
      "transient",
      `QUERY_TIMEOUT reading [${iso(window.from)}, ${iso(window.to)}): split the window and read the halves`,
      { vendorCode: "QUERY_TIMEOUT", status: 400, cause },
    );
    this.name = "QueryTimeoutError";
    this.window = window;
    const mid = window.from + Math.floor((window.to - window.from) / 2);
    this.halves = [
      { from: window.from, to: mid },
      { from: mid, to: window.to },
    ];
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The `errorCode` and message of a Salesforce error body (`[{message, errorCode}]` or OAuth `{error, …}`),
 * sanitized for quoting (a code-shaped code, a short message without markup or control characters).
 */
function salesforceErrorOf(text: string): { code: string; message: string } | undefined {
  try {
    const j = JSON.parse(text) as unknown;
    const first = (Array.isArray(j) ? j[0] : j) as Record<string, unknown> | undefined;
    if (!first || typeof first !== "object") return undefined;
    const code = sanitizeVendorCode(first["errorCode"] ?? first["error"]);
    const message = first["message"] ?? first["error_description"] ?? "";
    return code === undefined
      ? undefined
      : { code, message: typeof message === "string" ? sanitizeVendorText(message) : "" };
  } catch {
    return undefined;
  }
}

/**
 * Classifies every Salesforce answer once: records API usage for the quota guard, then maps the body's
 * `errorCode` (sources.md §1.3) — REQUEST_LIMIT_EXCEEDED is quota_exhausted (TotalRequests, rolling 24 h) or
 * transient (ConcurrentRequests), Bulk LIMIT_EXCEEDED is quota_exhausted — and falls back to the HTTP table.
 */
export function salesforceClassifier(guard: QuotaGuard): ClassifyHook {
  return (res: ResponseFacts) => {
    // Usage only from answers that counted: an error answer's header can be stale (refused before counting).
    if (res.status < 300) {
      guard.observe(res.headers);
      return undefined;
    }
    const base = classifyResponse(res, errorRules);
    const vendor = salesforceErrorOf(res.text);
    if (!vendor) return base;
    const info = { status: res.status, vendorCode: vendor.code };
    const msg = (reason: string) => `${reason} (HTTP ${res.status}: ${vendor.code}: ${vendor.message})`;
    if (vendor.code === "REQUEST_LIMIT_EXCEEDED" || vendor.code === "LIMIT_EXCEEDED") {
      if (/concurrent/i.test(vendor.message)) {
        return new ConnectorError("transient", msg("too many concurrent long-running requests"), info);
      }
      return new ConnectorError("quota_exhausted", msg("API allocation used up"), {
        ...info,
        resetAt: guard.refused(),
      });
    }
    const known = errorCodeClass[vendor.code];
    if (known) return new ConnectorError(known.cls, msg(known.reason), info);
    return new ConnectorError(base.class, base.message, info);
  };
}
