import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { Queryable } from "../../db/queryable.ts";

/** One recorded authorization decision. */
export interface AuditEvent {
  id: string;
  /** Epoch ms. */
  at: number;
  requestId: string;
  principalArn: string;
  action: string;
  resource: string;
  decision: "Allow" | "ExplicitDeny" | "ImplicitDeny";
}

/** ListAuditEvents' filters; `after` is the last event's paging token of the previous page. */
export interface AuditFilter {
  principalArn?: string | undefined;
  action?: string | undefined;
  decision?: AuditEvent["decision"] | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
  after?: { at: number; id: string } | undefined;
  limit: number;
}

/** Operation names of calls that change nothing (their decisions are not recorded). */
const READ_ONLY = /^(Get|List|Describe|Search|Explain|BatchGet|Detect)/;

/** Whether `service:Operation` is a mutating call (anything that is not a read by AWS's naming). */
export function isMutating(action: string): boolean {
  const op = action.slice(action.indexOf(":") + 1);
  return !READ_ONLY.test(op);
}

/**
 * The audit trail (issue 16, point 5): every authorization decision on a mutating call — the edge's
 * (Authorizer) and a workflow's own as its role (WorkflowRoleActor) — one row each, written right after
 * the decision (before the handler runs, so a denied call is recorded too). Reads are not recorded.
 */
export class AuditLog {
  #seq = 0;

  constructor(private readonly clock: Clock) {}

  /**
   * An event id that sorts as the events were recorded in this process: the time, a counter, and a
   * random tail that keeps ids of several processes apart.
   */
  #id(at: number): string {
    this.#seq = (this.#seq + 1) % 1e10;
    return `${String(at).padStart(15, "0")}-${String(this.#seq).padStart(10, "0")}-${randomBytes(4).toString("hex")}`;
  }

  async record(q: Queryable, e: Omit<AuditEvent, "id" | "at">): Promise<void> {
    const at = this.clock.now();
    await q
      .insertInto("audit_events")
      .values({
        id: this.#id(at),
        at,
        request_id: e.requestId,
        principal_arn: e.principalArn,
        action: e.action,
        resource: e.resource,
        decision: e.decision,
      })
      .execute();
  }

  /** A page of events, newest first, and whether more follow. */
  async list(q: Queryable, f: AuditFilter): Promise<{ events: AuditEvent[]; more: boolean }> {
    let query = q.selectFrom("audit_events").selectAll();
    if (f.principalArn !== undefined) query = query.where("principal_arn", "=", f.principalArn);
    if (f.action !== undefined) query = query.where("action", "=", f.action);
    if (f.decision !== undefined) query = query.where("decision", "=", f.decision);
    if (f.from !== undefined) query = query.where("at", ">=", f.from);
    if (f.to !== undefined) query = query.where("at", "<", f.to);
    const after = f.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([eb("at", "<", after.at), eb.and([eb("at", "=", after.at), eb("id", "<", after.id)])]),
      );
    }
    const rows = await query
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(f.limit + 1)
      .execute();
    const events = rows.slice(0, f.limit).map((r) => ({
      id: r.id,
      at: Number(r.at),
      requestId: r.request_id,
      principalArn: r.principal_arn,
      action: r.action,
      resource: r.resource,
      decision: r.decision as AuditEvent["decision"],
    }));
    return { events, more: rows.length > f.limit };
  }
}
