import { z } from "zod";
import { toEpochSeconds } from "../../core/clock.ts";
import { invalid } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { AuditLog } from "../../security/iam/audit-log.ts";
import { nextToken, pageRequest } from "../customer-profiles/pagination.ts";
import type { ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";

const LIST = "ListAuditEvents";
const decisionSchema = z.enum(["Allow", "ExplicitDeny", "ImplicitDeny"]);
const textSchema = z.string().min(1).max(2048);
/** Epoch seconds (fractions allowed), as Customer Profiles' timestamps travel. */
const secondsSchema = z.coerce.number().finite().min(0).max(253402300799);

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * ListAuditEvents — an extension (issue 16, point 5; AWS keeps this in CloudTrail): the authorization
 * decisions on mutating calls, newest first.
 * `GET /audit-events?principal-arn=&action=&decision=&start-time=&end-time=&next-token=&max-results=`
 * → `{Items:[{EventId, EventTime, RequestId, PrincipalArn, Action, Resource, Decision}], NextToken}`.
 * Times are epoch seconds; `start-time` is inclusive, `end-time` exclusive. Signing service `profile`,
 * action `profile:ListAuditEvents` on `*`.
 */
export function auditOperations(deps: { db: Queryable; audit: AuditLog }): ServiceDefinition {
  return {
    service: "profile",
    operations: [
      {
        name: LIST,
        method: "GET",
        path: "/audit-events",
        handler: async (ctx) => {
          const q = ctx.query;
          const text = (name: string, member: string) => {
            const v = one(q[name]);
            return v === undefined ? undefined : parseInput(textSchema, v, member);
          };
          const time = (name: string, member: string) => {
            const v = one(q[name]);
            return v === undefined ? undefined : Math.round(parseInput(secondsSchema, v, member) * 1000);
          };
          const rawDecision = one(q["decision"]);
          const from = time("start-time", "StartTime");
          const to = time("end-time", "EndTime");
          if (from !== undefined && to !== undefined && from >= to) {
            throw invalid("StartTime", "1 validation error detected: StartTime must be before EndTime");
          }
          const page = pageRequest(q, LIST, 50);
          const after = page.after === undefined ? undefined : afterOf(page.after);
          const { events, more } = await deps.audit.list(deps.db, {
            principalArn: text("principal-arn", "PrincipalArn"),
            action: text("action", "Action"),
            decision:
              rawDecision === undefined ? undefined : parseInput(decisionSchema, rawDecision, "Decision"),
            from,
            to,
            after,
            limit: page.limit,
          });
          return {
            Items: events.map((e) => ({
              EventId: e.id,
              EventTime: toEpochSeconds(e.at),
              RequestId: e.requestId,
              PrincipalArn: e.principalArn,
              Action: e.action,
              Resource: e.resource,
              Decision: e.decision,
            })),
            NextToken: nextToken(
              LIST,
              events.map((e) => ({ key: `${e.at}|${e.id}` })),
              more,
            ),
          };
        },
      },
    ],
  };
}

/** The position a token resumes after: the last event's time and id. */
function afterOf(key: string): { at: number; id: string } {
  const bar = key.indexOf("|");
  const at = Number(key.slice(0, bar));
  if (bar < 0 || !Number.isFinite(at)) {
    throw invalid("NextToken", "1 validation error detected: NextToken is not a token of this list");
  }
  return { at, id: key.slice(bar + 1) };
}
