import type { Insertable } from "kysely";
import type {
  ProfileDeadLettersTable,
  ProfileHistoryTable,
  ProfileKeysTable,
  ProfileObjectsTable,
} from "../db/schema/profiles.ts";
import type { MapResult } from "../ingest/index.ts";
import { type MatchingRules, type MatchValue, matchValues } from "../ingest/matching/matching-rules.ts";
import type { BatchIds } from "./batch-ids.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { storedKeys } from "./identity-resolution.ts";
import type { IngestResult, IngestStatus } from "./ingest-types.ts";
import { pairKey } from "./key-index.ts";
import { objectFieldsColumn } from "./leaves-columns.ts";
import { type FieldSource, flatten } from "./profile-fields.ts";
import { historyRowFields } from "./profile-history.ts";
import type { StoredObject } from "./stored-objects.ts";
import type { BatchWrites } from "./write-batch.ts";

/** A mapped object that was accepted: where it goes and why. */
export type MappedObject = Extract<MapResult, { ok: true }>;

/** The identity decision for one accepted object. */
export interface Placement {
  profileId: string;
  status: Extract<IngestStatus, "created" | "matched" | "replaced">;
  matchedBy?: { keyName: string; value: string } | undefined;
  ambiguous: unknown[];
}

/** What one batch's objects write, built up in order (later objects of the batch see the earlier ones). */
export interface BatchRows extends Omit<BatchWrites, "objectRows" | "keyRows"> {
  /** By object key: a later version of an object in the same batch replaces the earlier one. */
  objects: Map<string, Insertable<ProfileObjectsTable>>;
  keys: Map<string, Insertable<ProfileKeysTable>[]>;
  results: IngestResult[];
  /** Matching values of the objects of profiles this batch created, per profile and object. */
  createdValues: Map<string, Map<string, MatchValue[]>>;
  /** Matching values of every object this batch wrote, by object key: matching need not open them again. */
  objectValues: Map<string, MatchValue[]>;
  accepted: number;
  ignored: number;
  bytes: number;
}

/** Where the rows of a batch go: the batch's domain, type and time, and its in-memory indexes. */
export interface RowContext {
  domainName: string;
  typeName: string;
  /** The domain's boxes: object fields are sealed in them. */
  boxes: DomainBoxes;
  priority: number | null;
  now: number;
  performedBy: string;
  ids: BatchIds;
  /** Key pair → the profiles holding it (updated as objects are accepted). */
  owners: Map<string, Set<string>>;
  /** UNIQUE object key → its stored (or earlier in this batch) version (updated as objects are accepted). */
  stored: Map<string, StoredObject>;
  matching: MatchingRules;
}

export function emptyBatchRows(): BatchRows {
  return {
    results: [],
    replacedInDb: new Map(),
    objects: new Map(),
    keys: new Map(),
    created: new Map(),
    touched: new Map(),
    history: [],
    deadLetters: [],
    createdValues: new Map(),
    objectValues: new Map(),
    accepted: 0,
    ignored: 0,
    bytes: 0,
  };
}

/**
 * Adds the rows of one accepted object: the object, its keys (and `_m.*` matching values), its
 * history row, and the sources of a profile this batch created; updates the batch's key owners and
 * stored versions so later objects of the batch see it.
 */
export function addObjectRows(
  c: RowContext,
  rows: BatchRows,
  m: MappedObject,
  objectKey: string,
  payload: string,
  place: Placement,
  prev: StoredObject | undefined,
): void {
  const { profileId, status } = place;
  const isCreated = status === "created";
  const leaves = profileLeaves(m, isCreated);
  const sealedFields = objectFieldsColumn.seal(c.boxes, leaves);
  rows.objects.set(objectKey, {
    domain_name: c.domainName,
    object_type_name: c.typeName,
    object_key: objectKey,
    profile_id: profileId,
    payload,
    fields: sealedFields,
    source_timestamp: m.sourceTimestamp ?? null,
    priority: c.priority,
    updated_at: c.now,
  });
  const keep = storedKeys(m.keys, isCreated);
  rows.keys.set(objectKey, keyRowsOf(c, rows, keep, leaves, objectKey, profileId));
  for (const k of keep) {
    const pk = pairKey(k.name, k.value);
    const set = c.owners.get(pk) ?? new Set<string>();
    set.add(profileId);
    c.owners.set(pk, set);
  }
  c.stored.set(objectKey, {
    profileId,
    sourceTimestamp: m.sourceTimestamp ?? null,
    inDb: prev?.inDb ?? false,
  });
  rows.history.push({ row: ingestedRow(c, profileId, objectKey), content: historyContent(place) });
  const state = rows.created.get(profileId);
  if (state) {
    const source: FieldSource = {
      leaves,
      timestamp: m.sourceTimestamp ?? c.now,
      priority: c.priority,
      updatedAt: c.now,
      id: `${c.typeName}\u0000${objectKey}`,
    };
    state.sources.set(source.id, source);
    // A later version of the same object replaces its source: still one source, these fields.
    state.oneObjectFields = state.sources.size === 1 ? sealedFields : undefined;
    state.historyIndex = rows.history.length - 1;
  } else {
    rows.touched.set(profileId, rows.history.length - 1);
  }
  const result: IngestResult = { status, profileObjectUniqueKey: objectKey, profileId };
  if (place.matchedBy) result.matchedBy = place.matchedBy;
  rows.results.push(result);
}

/** The object's profile fields; an inferred (created) profile gets the record's email and phone even without a Target. */
function profileLeaves(m: MappedObject, isCreated: boolean) {
  const leaves = flatten(m.profile);
  if (isCreated) {
    if (m.inferred.EmailAddress !== undefined && !("EmailAddress" in leaves))
      leaves.EmailAddress = m.inferred.EmailAddress;
    if (m.inferred.PhoneNumber !== undefined && !("PhoneNumber" in leaves))
      leaves.PhoneNumber = m.inferred.PhoneNumber;
  }
  return leaves;
}

/** The object's key rows, plus its normalized matching values as `_m.*` keys when rule-based matching is on. */
function keyRowsOf(
  c: RowContext,
  rows: BatchRows,
  keep: ReturnType<typeof storedKeys>,
  leaves: ReturnType<typeof flatten>,
  objectKey: string,
  profileId: string,
): Insertable<ProfileKeysTable>[] {
  const out: Insertable<ProfileKeysTable>[] = keep.map((k) => ({
    domain_name: c.domainName,
    key_name: k.name,
    key_value: c.boxes.index(k.name, k.value),
    profile_id: profileId,
    origin: "object" as const,
    object_type_name: c.typeName,
    object_key: objectKey,
  }));
  if (!c.matching.enabled) return out;
  const base = {
    domain_name: c.domainName,
    profile_id: profileId,
    origin: "object" as const,
    object_type_name: c.typeName,
    object_key: objectKey,
  };
  const values = matchValues(c.matching, leaves);
  rows.objectValues.set(objectKey, values);
  // A profile this batch created holds only this batch's objects: its values are known here.
  if (rows.created.has(profileId)) {
    const mine = rows.createdValues.get(profileId) ?? new Map<string, MatchValue[]>();
    rows.createdValues.set(profileId, mine.set(objectKey, values));
  }
  for (const v of values) {
    // Kept with the value: the batch's matching looks its holders up by it (one blind index each).
    v.stored = c.boxes.index(v.keyName, v.value);
    out.push({ ...base, key_name: v.keyName, key_value: v.stored });
  }
  return out;
}

function ingestedRow(
  c: RowContext,
  profileId: string,
  objectKey: string,
): Omit<Insertable<ProfileHistoryTable>, "content"> {
  return historyRowFields(
    c.domainName,
    {
      profileId,
      objectTypeName: c.typeName,
      actionType: "INGESTED",
      profileObjectUniqueKey: objectKey,
      performedBy: c.performedBy,
    },
    c.now,
    c.ids.next(),
  );
}

function historyContent(place: Placement): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (place.matchedBy) content.MatchedBy = { KeyName: place.matchedBy.keyName, Value: place.matchedBy.value };
  if (place.status === "created") content.ProfileCreated = true;
  if (place.status === "replaced") content.ReplacedObject = true;
  if (place.ambiguous.length) content.AmbiguousKeys = place.ambiguous;
  return content;
}

/** The writes of a resolved batch, in the shape writeBatch takes. */
export function batchWrites(rows: BatchRows): BatchWrites {
  return {
    replacedInDb: rows.replacedInDb,
    objectRows: [...rows.objects.values()],
    keyRows: [...rows.keys.values()].flat(),
    created: rows.created,
    touched: rows.touched,
    history: rows.history,
    deadLetters: rows.deadLetters,
  };
}

/** Records a dead letter and its result. */
export function addDeadLetter(
  rows: BatchRows,
  result: IngestResult,
  row: Insertable<ProfileDeadLettersTable>,
): void {
  rows.deadLetters.push(row);
  rows.results.push(result);
}
