import type { WireResponse } from "./wire-client.ts";

/** One broken rule, with the request that broke it (replayable from the seed). */
export interface Finding {
  rule:
    | "no 5xx"
    | "no 5xx carrying U+0000"
    | "answered"
    | "AWS-shaped error"
    | "framework error in AWS shape"
    | "bad signature refused"
    | "no write from a refused request";
  request: string;
  detail: string;
  /** x-amzn-RequestId of the answer, to find the server's log line. */
  requestId?: string;
}

/** What a fuzz run saw. */
export interface Tally {
  sent: number;
  byStatus: Map<number, number>;
  refused: number;
  /** Refused requests whose effect on the database was compared (per batch or one by one). */
  refusedCompared: number;
  /** Signed-garbage requests signed and sent as a client would: the signature check should let them through. */
  meantToReach: number;
  /** Of those, the ones the signature check refused, and a few examples. */
  signed403: number;
  signed403Examples: string[];
  findings: Finding[];
  maxRssMb: number;
  healthAfter: number;
  seconds: number;
}

export const newTally = (): Tally => ({
  sent: 0,
  byStatus: new Map(),
  refused: 0,
  refusedCompared: 0,
  meantToReach: 0,
  signed403: 0,
  signed403Examples: [],
  findings: [],
  maxRssMb: 0,
  healthAfter: 0,
  seconds: 0,
});

/**
 * An answer written by the HTTP layer below our error handler (Node's parser, Fastify's router): no
 * x-amzn-ErrorType and Fastify's own `{error, message, statusCode}` body, or an empty one.
 */
export function frameworkAnswer(r: Extract<WireResponse, { kind: "response" }>): boolean {
  if (r.headers["x-amzn-errortype"]) return false;
  if (r.body.length === 0) return true;
  try {
    const body = JSON.parse(r.body.toString("utf8")) as Record<string, unknown>;
    return typeof body["statusCode"] === "number" && typeof body["error"] === "string";
  } catch {
    return false;
  }
}

/** Figures, then the findings grouped by rule (first 5 each), for the log and for failing assertions. */
export function report(t: Tally, seed: number | string): string {
  const statuses = [...t.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  const lines = [
    `edge fuzz seed ${seed}: ${t.sent} requests in ${t.seconds.toFixed(1)} s, ${t.refused} refused ` +
      `(${t.refusedCompared} compared against the database), peak RSS ${t.maxRssMb.toFixed(0)} MB; ` +
      `statuses ${statuses.join(" ")}`,
  ];
  if (t.signed403) {
    lines.push(`  signed garbage refused by the signature check: ${t.signed403}, e.g.`);
    for (const e of t.signed403Examples) lines.push(`    ${e}`);
  }
  const byRule = new Map<string, Finding[]>();
  for (const f of t.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [rule, fs] of byRule) {
    lines.push(`  ${rule}: ${fs.length} finding(s)`);
    for (const f of fs.slice(0, rule.includes("U+0000") ? 12 : 5))
      lines.push(`    ${f.request} → ${f.detail}`);
  }
  return lines.join("\n");
}
