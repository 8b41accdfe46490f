import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Clock } from "../../core/clock.ts";
import { dialectOf } from "../../db/dialect.ts";
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
 * Actions recorded as mutating that store nothing when allowed: KMS's cryptographic operations answer
 * with plaintext or ciphertext and write no row, so no commit of theirs follows the audit row.
 */
const STORES_NOTHING =
  /^kms:(Encrypt|Decrypt|ReEncrypt(From|To)?|GenerateDataKey(WithoutPlaintext|Pair|PairWithoutPlaintext)?|GenerateMac|VerifyMac|Sign|Verify|GenerateRandom|DeriveSharedSecret)$/;

/**
 * Whether an event's own-transaction row may commit without waiting for the WAL flush: not for an
 * allowed call that stores nothing (nothing of the call's would flush the row, and the call did happen:
 * a Decrypt returned plaintext).
 */
export function mayCommitAsync(e: Pick<AuditEvent, "action" | "decision">): boolean {
  return !(e.decision === "Allow" && STORES_NOTHING.test(e.action));
}

/**
 * The audit trail (issue 16, point 5): every authorization decision on a mutating call — the edge's
 * (Authorizer), STS's, CreateIntegrationWorkflow's iam:PassRole and a workflow's own as its role
 * (RoleSessionActor) — one row each, written right after the decision (before the handler runs, so a
 * denied call is recorded too). Reads are not recorded. Two ways to write one, chosen by the caller:
 *
 * - `recordOwn(db)`: the row is its own one-statement transaction, outside any operation's (the edge,
 *   PassRole, STS: a refused call has no operation transaction, and a call whose operation fails rolls
 *   its transaction back, yet both decisions were made and belong in the trail). On PostgreSQL that
 *   statement commits asynchronously (`set_config('synchronous_commit', 'off', true)` inside it, scoped
 *   to that transaction): it does not wait for the WAL flush. Its commit record precedes the
 *   operation's in the WAL, and the operation's synchronous commit flushes the WAL up to its own
 *   record, so a change that survives a crash always has its audit row; what a crash can lose is the
 *   rows of the last moments (PostgreSQL's wal_writer_delay, ≤ 3 × 200 ms by default) of calls that
 *   changed nothing: refused ones, failed ones. An allowed call that stores nothing (KMS's Encrypt,
 *   Decrypt, GenerateDataKey, ReEncrypt…: `mayCommitAsync`) has no commit of its own to flush the row,
 *   so its row commits synchronously.
 * - `recordIn(q)`: a plain insert through `q` — inside a caller's transaction it commits, or rolls
 *   back, with it; on the pool it is one synchronously committed statement. For a workflow's own
 *   decisions, and for any caller that holds a transaction (or a connection it began one on, as
 *   inDomainTransaction does): never make such a call's commit asynchronous.
 */
export class AuditLog {
  #seq = 0;
  /** Whether the database is PostgreSQL (known at the first row). */
  #postgres: boolean | undefined;

  constructor(private readonly clock: Clock) {}

  /**
   * An event id that sorts as the events were recorded in this process: the time, a counter, and a
   * random tail that keeps ids of several processes apart.
   */
  #id(at: number): string {
    this.#seq = (this.#seq + 1) % 1e10;
    return `${String(at).padStart(15, "0")}-${String(this.#seq).padStart(10, "0")}-${randomBytes(4).toString("hex")}`;
  }

  #isPostgres(q: Queryable): boolean {
    this.#postgres ??= dialectOf(q) === "postgres";
    return this.#postgres;
  }

  /**
   * The row as its own transaction on `db` (the pool, never a transaction: TypeError), committed
   * asynchronously on PostgreSQL unless `mayCommitAsync` says otherwise (see above).
   */
  async recordOwn(db: Queryable, e: Omit<AuditEvent, "id" | "at">): Promise<void> {
    if (db.isTransaction) throw new TypeError("AuditLog.recordOwn writes its own transaction: use recordIn");
    if (!this.#isPostgres(db) || !mayCommitAsync(e)) return this.recordIn(db, e);
    const at = this.clock.now();
    const id = this.#id(at);
    // One statement, its own transaction, committed without waiting for the WAL flush (see above).
    await sql`insert into audit_events (id, at, request_id, principal_arn, action, resource, decision)
      select ${id}, ${at}::bigint, ${e.requestId}, ${e.principalArn}, ${e.action}, ${e.resource}, ${e.decision}
      from (select set_config('synchronous_commit', 'off', true)) as async_commit`.execute(db);
  }

  /** The row as a plain insert through `q` (a caller's transaction, or one synchronous statement). */
  async recordIn(q: Queryable, e: Omit<AuditEvent, "id" | "at">): Promise<void> {
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
