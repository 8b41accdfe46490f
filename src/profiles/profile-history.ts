import type { Insertable } from "kysely";
import { notFound } from "../core/errors.ts";
import { hexId } from "../core/ids.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ProfileHistoryTable } from "../db/schema/profiles.ts";
import type { DomainBoxes, DomainSealer } from "./domain-sealer.ts";
import { plainSealer } from "./domain-sealer.ts";
import { historyContentColumn } from "./history-content-column.ts";
import { decodePageToken, type Page, toPage } from "./page-token.ts";

/** The model's ActionType values. */
export type { HistoryAction } from "../db/schema/profiles.ts";

import type { HistoryAction } from "../db/schema/profiles.ts";

/** The object type name history uses for changes made through profile calls rather than objects. */
export const PROFILE_CALL_TYPE = "_profile";

/** A history record: which object or call changed the profile, and how (Content is JSON). */
export interface HistoryRecord {
  id: string;
  profileId: string;
  objectTypeName: string;
  actionType: HistoryAction;
  profileObjectUniqueKey?: string;
  performedBy: string;
  content: Record<string, unknown>;
  createdAt: number;
}

/** One history row without its content (the ingest path seals the content once it is complete). */
export function historyRowFields(
  domainName: string,
  e: Omit<HistoryRecord, "id" | "createdAt" | "content">,
  now: number,
  id: string = hexId(),
): Omit<Insertable<ProfileHistoryTable>, "content"> {
  return {
    domain_name: domainName,
    record_id: id,
    profile_id: e.profileId,
    object_type_name: e.objectTypeName,
    action_type: e.actionType,
    object_key: e.profileObjectUniqueKey ?? null,
    performed_by: e.performedBy,
    created_at: now,
  };
}

/** Builds one history row (with a fresh id unless given one), its content sealed in `boxes`. */
export function historyRow(
  boxes: DomainBoxes,
  domainName: string,
  e: Omit<HistoryRecord, "id" | "createdAt">,
  now: number,
  id: string = hexId(),
): Insertable<ProfileHistoryTable> {
  return {
    ...historyRowFields(domainName, e, now, id),
    content: historyContentColumn.seal(boxes, e.content),
  };
}

/** Writes one profile's history record (built by historyRow) in `tx`, the change's own transaction. */
export async function recordHistory(
  tx: Queryable,
  boxes: DomainBoxes,
  domainName: string,
  e: Omit<HistoryRecord, "id" | "createdAt">,
  now: number,
): Promise<void> {
  await tx
    .insertInto("profile_history")
    .values(historyRow(boxes, domainName, e, now))
    .execute();
}

/** Filters of ListProfileHistoryRecords. */
export interface HistoryFilter {
  objectTypeName?: string | undefined;
  actionType?: HistoryAction | undefined;
  performedBy?: string | undefined;
}

/** Reads profile history (ListProfileHistoryRecords / GetProfileHistoryRecord). */
export class ProfileHistory {
  constructor(private readonly sealer: DomainSealer = plainSealer) {}

  /** One page of a profile's records, newest first. */
  async list(
    q: Queryable,
    domainName: string,
    profileId: string,
    filter: HistoryFilter,
    page: { nextToken?: string | undefined; maxResults: number },
  ): Promise<Page<HistoryRecord>> {
    const offset = decodePageToken(page.nextToken);
    let query = q
      .selectFrom("profile_history")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId);
    if (filter.objectTypeName !== undefined)
      query = query.where("object_type_name", "=", filter.objectTypeName);
    if (filter.actionType !== undefined) query = query.where("action_type", "=", filter.actionType);
    if (filter.performedBy !== undefined) query = query.where("performed_by", "=", filter.performedBy);
    const rows = await query
      .orderBy("created_at", "desc")
      // Records of one ingest batch share their time; the ingest's ids grow as they were made (BatchIds),
      // so the later object's record comes first. (Merge records get random ids: no order among them.)
      .orderBy("record_id", "desc")
      .limit(page.maxResults + 1)
      .offset(offset)
      .execute();
    const boxes = await this.sealer.boxesIn(q, domainName);
    return toPage(
      rows.map((r) => toRecord(boxes, r)),
      offset,
      page.maxResults,
    );
  }

  /** One record; RESOURCE_NOT_FOUND when the profile has no such record. */
  async get(q: Queryable, domainName: string, profileId: string, id: string): Promise<HistoryRecord> {
    const row = await q
      .selectFrom("profile_history")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("record_id", "=", id)
      .where("profile_id", "=", profileId)
      .executeTakeFirst();
    if (!row) throw notFound(`History record ${id} of profile ${profileId} does not exist`, { member: "Id" });
    return toRecord(await this.sealer.boxesIn(q, domainName), row);
  }
}

function toRecord(boxes: DomainBoxes, r: ProfileHistoryTable): HistoryRecord {
  const out: HistoryRecord = {
    id: r.record_id,
    profileId: r.profile_id,
    objectTypeName: r.object_type_name,
    actionType: r.action_type,
    performedBy: r.performed_by,
    content: historyContentColumn.open(boxes, r.content),
    createdAt: r.created_at,
  };
  if (r.object_key !== null) out.profileObjectUniqueKey = r.object_key;
  return out;
}
