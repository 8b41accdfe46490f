import type { Command } from "commander";
import { type ApiClients, apiClients } from "../integrate/api-clients.ts";

/** `profileflow audit`'s filters, as flags. */
export interface AuditFlags {
  principal?: string;
  action?: string;
  decision?: string;
  since?: string;
  until?: string;
  limit?: string;
  all?: boolean;
  json?: boolean;
}

/** One event as ListAuditEvents answers it. */
interface AuditItem {
  EventId: string;
  EventTime: number;
  RequestId: string;
  PrincipalArn: string;
  Action: string;
  Resource: string;
  Decision: string;
}

/** `2026-01-31`, an ISO time, or `15m` / `2h` / `7d` back → epoch seconds. */
export function parseWhen(raw: string, now: number): number {
  const back = /^(\d+)([smhd])$/.exec(raw.trim());
  if (back) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[back[2] as "s" | "m" | "h" | "d"];
    return now / 1000 - Number(back[1]) * unit;
  }
  const t = Date.parse(raw.trim());
  if (Number.isNaN(t))
    throw new Error(`${raw} is neither a time (2026-01-31T10:00:00Z) nor a span back (2h, 7d).`);
  return t / 1000;
}

/**
 * Prints the audit trail (ListAuditEvents), newest first: one line per decision (time, decision,
 * principal, action, resource, request id), or JSON lines. Follows NextToken up to `--limit` events
 * (default 50), or every page with `--all`.
 */
export async function printAudit(
  api: ApiClients,
  f: AuditFlags,
  out: NodeJS.WritableStream,
  now = Date.now(),
): Promise<number> {
  const limit = f.all ? Number.POSITIVE_INFINITY : Math.max(1, Number.parseInt(f.limit ?? "50", 10) || 50);
  const query: Record<string, string> = {};
  if (f.principal) query["principal-arn"] = f.principal;
  if (f.action) query["action"] = f.action;
  if (f.decision) query["decision"] = f.decision;
  if (f.since) query["start-time"] = String(parseWhen(f.since, now));
  if (f.until) query["end-time"] = String(parseWhen(f.until, now));
  let shown = 0;
  let token: string | undefined;
  do {
    const max = Math.min(100, limit - shown);
    const page = await api.extensionGet("profile", "/audit-events", {
      ...query,
      "max-results": String(max),
      ...(token ? { "next-token": token } : {}),
    });
    for (const e of (page["Items"] ?? []) as AuditItem[]) {
      shown++;
      if (f.json) {
        out.write(`${JSON.stringify(e)}\n`);
        continue;
      }
      const when = new Date(e.EventTime * 1000).toISOString();
      out.write(
        `${when}  ${e.Decision.padEnd(12)}  ${e.PrincipalArn}  ${e.Action}  ${e.Resource}  ${e.RequestId}\n`,
      );
    }
    token = page["NextToken"] as string | undefined;
  } while (token && shown < limit);
  if (shown === 0 && !f.json) out.write("No audit events match.\n");
  else if (token && !f.json) out.write(`(more than ${shown}; use --limit, --all or narrower filters)\n`);
  return shown;
}

/** `profileflow audit`: who was allowed or refused which mutating call, newest first. */
export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(
      "list authorization decisions on mutating calls (who, action, resource, decision), newest first",
    )
    .option("--principal <arn>", "only this principal (user ARN, assumed-role session ARN, or the root's)")
    .option("--action <service:Action>", "only this action, e.g. profile:DeleteDomain")
    .option("--decision <decision>", "Allow | ExplicitDeny | ImplicitDeny")
    .option("--since <when>", "from this time (2026-01-31, an ISO time, or 2h / 7d back)")
    .option("--until <when>", "before this time (same forms)")
    .option("-n, --limit <count>", "how many to show (default 50)")
    .option("--all", "every matching event")
    .option("--json", "print JSON lines")
    .option(
      "--endpoint <url>",
      "profileflow API endpoint (default $PROFILEFLOW_ENDPOINT or http://127.0.0.1:4590)",
    )
    .option("--region <region>", "region to sign for (default us-east-1)")
    .option(
      "-d, --data <dir>",
      "the server's data directory, for its credentials file (default ./.profileflow)",
    )
    .action(async (flags: AuditFlags & { endpoint?: string; region?: string; data?: string }) => {
      const api = apiClients(flags);
      try {
        await printAudit(api, flags, process.stdout);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        api.close();
      }
    });
}
