import { invalid } from "../core/errors.ts";

const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Parses an AppFlow `rate(N unit)` expression (`rate(5minutes)`, `rate(1 hours)`, `rate(2 days)`) into
 * milliseconds. AppFlow's smallest interval is one minute; a zero or unknown unit is VALIDATION_FAILED.
 */
export function parseScheduleExpression(expression: string): number {
  const m = /^rate\(\s*(\d+)\s*(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (!m) {
    throw invalid(
      "scheduleExpression",
      `Schedule expression ${expression} is not valid: use rate(N minutes|hours|days)`,
    );
  }
  const n = Number(m[1]);
  if (n < 1)
    throw invalid("scheduleExpression", `Schedule expression ${expression} must be at least 1 minute`);
  const unit = (m[2] ?? "").toLowerCase().replace(/s$/, "") as keyof typeof unitMs;
  return n * unitMs[unit];
}
