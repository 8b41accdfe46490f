/**
 * The activity stream behind `activities/pagingtoken.json`, `leadchanges.json` and
 * `deletedleads.json`: pages move forward along (activityDate, order) from a token position. A page
 * scans a bounded number of activities, so it can come back short (even empty) with
 * `moreResult:true`, as the real service does; only `moreResult` says when to stop.
 */
import { formatActivityDate } from "./dates.ts";
import type { ActivityPosition } from "./paging-token.ts";
import { encodeActivityToken } from "./paging-token.ts";

/** Activity type ids used by the simulator. */
export const activityTypes = { newLead: 12, changeDataValue: 13, deleteLead: 37 } as const;

/** One field change carried by a Change Data Value activity. */
export interface FieldChange {
  id: number;
  name: string;
  newValue: string | null;
  oldValue: string | null;
}

/** One activity as the store keeps it. */
export interface Activity {
  id: number;
  leadId: number;
  /** Activity date, epoch ms. */
  at: number;
  /** Position among activities with the same date; (at, order) is unique and is what tokens hold. */
  order: number;
  activityTypeId: number;
  fields?: readonly FieldChange[];
  /** Deleted leads: the lead's display name. */
  primaryAttributeValue?: string;
}

/** What one page asks for. */
export interface FeedRequest {
  after: ActivityPosition;
  batchSize: number;
  /** Activity types to return; others are scanned past. */
  typeIds: ReadonlySet<number>;
  /** For leadchanges: only changes to these fields are returned (New Lead always is). */
  fields?: ReadonlySet<string>;
  /** Most activities one page looks at before it returns, short if need be. */
  scanLimit: number;
}

/** One page of the feed. */
export interface FeedPage {
  result: Record<string, unknown>[];
  nextPageToken: string;
  moreResult: boolean;
}

/**
 * Reads one page. `stream` yields the visible activities strictly after `req.after`, ordered by
 * (at, order); the page reads at most scanLimit + 1 of them (the extra one only to decide moreResult).
 */
export function readFeedPage(stream: Iterable<Activity>, req: FeedRequest): FeedPage {
  const result: Record<string, unknown>[] = [];
  let last = req.after;
  let scanned = 0;
  let more = false;
  for (const a of stream) {
    if (result.length >= req.batchSize || scanned >= req.scanLimit) {
      more = true;
      break;
    }
    scanned++;
    last = { at: a.at, id: a.order };
    const shown = present(a, req);
    if (shown) result.push(shown);
  }
  return { result, nextPageToken: encodeActivityToken(last), moreResult: more };
}

function present(a: Activity, req: FeedRequest): Record<string, unknown> | undefined {
  if (!req.typeIds.has(a.activityTypeId)) return undefined;
  const base: Record<string, unknown> = {
    id: a.id,
    marketoGUID: String(a.id),
    leadId: a.leadId,
    activityDate: formatActivityDate(a.at),
    activityTypeId: a.activityTypeId,
  };
  if (a.activityTypeId === activityTypes.deleteLead) {
    return {
      ...base,
      primaryAttributeValueId: a.leadId,
      primaryAttributeValue: a.primaryAttributeValue ?? "",
      attributes: [],
    };
  }
  let fields = a.fields ?? [];
  if (req.fields && a.activityTypeId === activityTypes.changeDataValue) {
    const wanted = req.fields;
    // An update that ended back at the generated values has no visible diff; it still moved the
    // lead's stamp, so it is shown (with no field list) rather than hidden from incremental readers.
    if (fields.length > 0) {
      fields = fields.filter((c) => wanted.has(c.name));
      if (fields.length === 0) return undefined;
    }
  }
  return {
    ...base,
    fields: fields.map((c) => ({ ...c })),
    attributes: [
      { name: "Reason", value: "Web service API" },
      { name: "Source", value: "Web service API" },
    ],
  };
}
