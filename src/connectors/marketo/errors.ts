import {
  type ClassifyHook,
  ConnectorError,
  type ConnectorErrorClass,
  parseHttpDate,
  sanitizeVendorCode,
  sanitizeVendorText,
  type Timer,
} from "../sdk/index.ts";
import { marketoLimits, quotaTimeZone } from "./spec.ts";

const dayOf = new Intl.DateTimeFormat("en-CA", {
  timeZone: quotaTimeZone,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The next midnight in Marketo's quota zone after `ms` (epoch ms): when 607 and the export quota lift. */
function nextQuotaReset(ms: number): number {
  const today = dayOf.format(ms);
  let lo = ms;
  let hi = ms + 26 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf.format(mid) === today) lo = mid;
    else hi = mid;
  }
  // Midnight is a whole second, the only one in (lo, lo + 1 s].
  return Math.floor(lo / 1000) * 1000 + 1000;
}

const table: Record<string, { class: ConnectorErrorClass; reason: string }> = {
  "600": { class: "auth", reason: "access token missing" },
  "601": { class: "auth", reason: "access token invalid" },
  "602": { class: "auth", reason: "access token expired" },
  "603": {
    class: "config",
    reason: "access denied: the API user's role lacks this permission, or an IP allowlist",
  },
  "604": { class: "transient", reason: "request timed out at Marketo" },
  "605": { class: "bug", reason: "HTTP method not supported" },
  "606": {
    class: "rate_limited",
    reason: "rate limit of 100 calls per 20 s exceeded (shared by the instance)",
  },
  "607": { class: "quota_exhausted", reason: "daily API quota reached" },
  "608": { class: "transient", reason: "Marketo API temporarily unavailable" },
  "609": { class: "bug", reason: "invalid JSON sent" },
  "610": { class: "config", reason: "resource not found (wrong instance URL?)" },
  "611": { class: "transient", reason: "Marketo system error" },
  "612": { class: "bug", reason: "invalid content type" },
  "613": { class: "bug", reason: "invalid multipart request" },
  "614": { class: "transient", reason: "invalid subscription (often temporary)" },
  "615": { class: "rate_limited", reason: "concurrent access limit (10) reached" },
  "713": { class: "transient", reason: "transient error" },
  "1029": { class: "rate_limited", reason: "bulk export queue full" },
  "1035": { class: "config", reason: "the updatedAt bulk filter is not available on this subscription" },
};

/**
 * Marketo's failures arrive as HTTP 200 with `success:false` and a code; this hook classifies them once
 * (sources.md §3.3). Waits: 606 the 20 s window, 615 a few seconds, 1029 queue-full a minute; 607 and the
 * export byte quota pause until the next midnight in the quota zone, measured on the server's `Date`.
 */
export function marketoClassifier(timer: Timer): ClassifyHook {
  return (res) => {
    if (res.status < 200 || res.status >= 300 || !/json/i.test(res.headers["content-type"] ?? ""))
      return undefined;
    let body: { success?: unknown; errors?: { code?: unknown; message?: unknown }[] };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      return undefined; // the client reports the cut body as transient
    }
    if (body.success !== false) return undefined;
    const first = body.errors?.[0] ?? {};
    const code = sanitizeVendorCode(first.code) ?? "";
    const raw = typeof first.message === "string" ? first.message.slice(0, 4096) : "";
    // Matched on the vendor's text; quoted only sanitized (our errors reach API callers).
    const message = sanitizeVendorText(raw);
    const known = table[code] ?? { class: "config" as const, reason: "Marketo refused the request" };
    let cls = known.class;
    let reason = known.reason;
    const info: { vendorCode: string; status: number; retryAfterMs?: number; resetAt?: number } = {
      vendorCode: code,
      status: res.status,
    };
    if (code === "1029" && /quota/i.test(raw)) {
      cls = "quota_exhausted";
      reason = "daily bulk export allocation used up";
    } else if (code === "1029" && /already queued/i.test(raw)) {
      cls = "config"; // the bulk reader treats it as "queued" (a lost enqueue answer)
      reason = "export job already queued";
    }
    if (cls === "quota_exhausted") {
      const serverNow = parseHttpDate(res.headers["date"]) ?? timer.now();
      info.resetAt = timer.now() + (nextQuotaReset(serverNow) - serverNow);
    } else if (code === "606") info.retryAfterMs = marketoLimits.rateWindowMs;
    else if (code === "615") info.retryAfterMs = marketoLimits.concurrencyBackoffMs;
    else if (code === "1029") info.retryAfterMs = marketoLimits.queueFullBackoffMs;
    return new ConnectorError(cls, `${reason} (Marketo ${code}${message ? `: ${message}` : ""})`, info);
  };
}

/** True when `e` is a Marketo error with this code. */
export function hasCode(e: unknown, code: string): e is ConnectorError {
  return e instanceof ConnectorError && e.vendorCode === code;
}
