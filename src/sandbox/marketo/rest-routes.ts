/**
 * The REST lead and activity routes: `leads.json`, `leads/describe(2).json`,
 * `activities/pagingtoken.json`, `activities/leadchanges.json`, `activities/deletedleads.json`.
 * Each returns an envelope or throws MarketoError.
 */
import { SALESFORCE_PREFIX, salesforceIndex } from "../population/ids.ts";
import { activityTypes, readFeedPage } from "./activity-feed.ts";
import { leadRecord, type MarketoContext } from "./context.ts";
import { parseMarketoDate } from "./dates.ts";
import { type MarketoEnvelope, MarketoError, success } from "./envelope.ts";
import { leadActivities } from "./lead-activities.ts";
import { leadIndex, leadOfContactIndex } from "./lead-def.ts";
import { describe2Result, describeResult, leadField } from "./lead-fields.ts";
import { type LeadQuery, leadMatches, pageLeads, parseBatchSize, parseLeadQuery } from "./lead-query.ts";
import { decodeActivityToken, encodeActivityToken } from "./paging-token.ts";

/** Routes a `/rest/v1/...` path; undefined when no route matches. */
export function restRoute(
  ctx: MarketoContext,
  path: string,
  params: Record<string, string>,
  now: number,
): MarketoEnvelope | undefined {
  switch (path) {
    case "/rest/v1/leads.json":
      return getLeads(ctx, params, now);
    case "/rest/v1/leads/describe.json":
      return success(now, describeResult());
    case "/rest/v1/leads/describe2.json":
      return success(now, describe2Result());
    case "/rest/v1/activities/pagingtoken.json":
      return pagingToken(params, now);
    case "/rest/v1/activities/leadchanges.json":
      return activities(ctx, params, now, "leadchanges");
    case "/rest/v1/activities/deletedleads.json":
      return activities(ctx, params, now, "deletedleads");
    default:
      return undefined;
  }
}

function getLeads(ctx: MarketoContext, params: Record<string, string>, now: number): MarketoEnvelope {
  const q = parseLeadQuery(params);
  const page = pageLeads(q, matchingLeads(ctx, q, now));
  ctx.world.changeDuringRead(ctx.leads, q.offset);
  return success(
    now,
    page.result,
    page.nextPageToken ? { nextPageToken: page.nextPageToken, moreResult: true } : {},
  );
}

/** Live leads matching the query, ordered by id. id and sfdcContactId are direct lookups; others scan. */
function matchingLeads(ctx: MarketoContext, q: LeadQuery, now: number): Record<string, unknown>[] {
  const store = ctx.leads;
  const candidates = new Set<number>();
  if (q.filterType === "id" || q.filterType === "sfdcContactId") {
    for (const value of q.filterValues) {
      const i =
        q.filterType === "id"
          ? leadIndex(value)
          : (() => {
              const k = salesforceIndex(SALESFORCE_PREFIX.Contact, value);
              return k === undefined ? undefined : leadOfContactIndex(ctx.world.population, k);
            })();
      if (i !== undefined && i < store.size) candidates.add(i);
    }
  }
  const out: Array<{ i: number; lead: Record<string, unknown> }> = [];
  const consider = (i: number) => {
    const v = store.current(i, now);
    if (!v || v.deleted) return;
    const lead = leadRecord(store, v);
    if (leadMatches(q, lead)) out.push({ i, lead });
  };
  if (q.filterType === "id" || q.filterType === "sfdcContactId") for (const i of candidates) consider(i);
  else for (const v of store.scan({ now })) consider(v.index);
  return out.sort((a, b) => a.i - b.i).map((x) => x.lead);
}

function pagingToken(params: Record<string, string>, now: number): MarketoEnvelope {
  const since = params["sinceDatetime"];
  if (!since) throw new MarketoError("1003", "sinceDatetime is required");
  const at = parseMarketoDate(since) ?? parseDateOnly(since);
  if (at === undefined) throw new MarketoError("1003", `Invalid sinceDatetime '${since}'`);
  return success(now, undefined, { nextPageToken: encodeActivityToken({ at, id: 0 }) });
}

/** Marketo also accepts a bare date (midnight UTC) for sinceDatetime. */
function parseDateOnly(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function activities(
  ctx: MarketoContext,
  params: Record<string, string>,
  now: number,
  kind: "leadchanges" | "deletedleads",
): MarketoEnvelope {
  const token = params["nextPageToken"];
  if (!token) throw new MarketoError("1003", "nextPageToken is required");
  const after = decodeActivityToken(token);
  if (!after) throw new MarketoError("1003", "Invalid nextPageToken");
  const batchSize = parseBatchSize(params["batchSize"]);
  let fields: Set<string> | undefined;
  if (kind === "leadchanges") {
    const named = (params["fields"] ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    if (named.length === 0) throw new MarketoError("1003", "fields is required");
    for (const name of named)
      if (!leadField(name)) throw new MarketoError("1006", `Field '${name}' not found`);
    fields = new Set(named);
  }
  const leadIds = (params["leadIds"] ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  if (leadIds.length > 30) throw new MarketoError("1003", "leadIds max 30");
  let stream = leadActivities(ctx.leads, after, now);
  if (leadIds.length > 0) {
    const wanted = new Set(leadIds);
    const all = stream;
    stream = (function* () {
      for (const a of all) if (wanted.has(a.leadId)) yield a;
    })();
  }
  const typeIds =
    kind === "leadchanges"
      ? new Set<number>([activityTypes.newLead, activityTypes.changeDataValue])
      : new Set<number>([activityTypes.deleteLead]);
  const page = readFeedPage(stream, {
    after,
    batchSize,
    typeIds,
    scanLimit: ctx.activityScanLimit,
    ...(fields ? { fields } : {}),
  });
  ctx.world.changeDuringRead(ctx.leads, after.at % 100_000);
  return success(now, page.result, { nextPageToken: page.nextPageToken, moreResult: page.moreResult });
}
