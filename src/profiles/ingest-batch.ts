import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { CompiledObjectType, MapResult } from "../ingest/index.ts";
import { BatchIds } from "./batch-ids.ts";
import {
  addDeadLetter,
  addObjectRows,
  type BatchRows,
  batchWrites,
  emptyBatchRows,
  type MappedObject,
  type Placement,
  type RowContext,
} from "./batch-rows.ts";
import type { DomainBoxes, SealedPlace } from "./domain-sealer.ts";
import { matchingKeys, matchProfile } from "./identity-resolution.ts";
import { deadLetter, objectKeyOf, payloadText } from "./ingest-rows.ts";
import type { IngestDatabase, IngestOptions, IngestSummary } from "./ingest-types.ts";
import { lookupKeyOwners, registerKeyTypes } from "./key-index.ts";
import { matchProfiles } from "./matching/match-profiles.ts";
import { matchingRulesOf } from "./matching/matching-settings.ts";
import { type StoredObject, storedObjects } from "./stored-objects.ts";
import { writeBatch } from "./write-batch.ts";

/** One batch of one object type, as the ingestor hands it over (inside the caller's transaction). */
export interface IngestBatch {
  database: IngestDatabase;
  domainName: string;
  typeName: string;
  compiled: CompiledObjectType;
  priority: number | null;
  now: number;
  performedBy: string;
  /** The domain's boxes (its data key, fetched once for the batch): payloads, fields and history are sealed in them. */
  boxes: DomainBoxes;
  /** A flow's page that may be read again after a crash (IngestOptions.replay). */
  replay?: IngestOptions["replay"];
}

/**
 * Resolves and stores one mapped batch: bulk reads up front (who holds each matching key, the stored
 * version of each UNIQUE key), identity resolution per object in order (later objects of the batch see
 * the earlier ones), then the writes as multi-row statements. Bad records become dead letters.
 */
export async function ingestBatch(
  trx: Kysely<Database>,
  batch: IngestBatch,
  raws: readonly unknown[],
  mapped: MapResult[],
  payloads?: readonly string[],
): Promise<IngestSummary> {
  const c = await readBatch(trx, batch, mapped);
  const rows = emptyBatchRows();
  for (let i = 0; i < mapped.length; i++) {
    ingestOne(batch, c, rows, mapped[i]!, payloads?.[i] ?? payloadText(raws[i]), i);
  }
  const { database, domainName, typeName, now, boxes } = batch;
  await writeBatch(trx, database, { domainName, typeName, now, boxes }, batchWrites(rows));
  if (c.matching.enabled) await matchBatch(trx, batch, c, rows);
  const { accepted, ignored, bytes, results } = rows;
  return { accepted, deadLettered: rows.deadLetters.length, ignored, bytes, results };
}

/** The bulk reads: who holds each matching key value, the stored version of each UNIQUE key, matching rules. */
async function readBatch(
  trx: Kysely<Database>,
  batch: IngestBatch,
  mapped: MapResult[],
): Promise<RowContext> {
  const { database, domainName, typeName, compiled } = batch;
  await registerKeyTypes(trx, domainName, compiled.keyContentTypes);
  const pairs: { name: string; value: string }[] = [];
  const uniqueValues: string[] = [];
  for (const m of mapped) {
    if (!m.ok) continue;
    for (const k of matchingKeys(m.keys)) pairs.push({ name: k.name, value: k.value });
    if (m.uniqueKey) uniqueValues.push(objectKeyOf(m.uniqueKey.value));
  }
  return {
    domainName,
    typeName,
    boxes: batch.boxes,
    priority: batch.priority,
    now: batch.now,
    performedBy: batch.performedBy,
    ids: new BatchIds(mapped.length * 2),
    owners: await lookupKeyOwners(trx, database.dialect, { domainName, boxes: batch.boxes }, pairs),
    stored: await storedObjects(
      trx,
      database.dialect,
      domainName,
      typeName,
      uniqueValues,
      batch.replay?.since,
    ),
    // Rule-based matching: each object's normalized matching values are stored as `_m.*` keys with it.
    matching: await matchingRulesOf(trx, domainName),
  };
}

/** One object of the batch: dead-lettered, ignored (older than stored), or placed on a profile. */
function ingestOne(
  batch: IngestBatch,
  c: RowContext,
  rows: BatchRows,
  m: MapResult,
  plain: string,
  index: number,
): void {
  // Sizes count the record as received; what is stored is sealed under the domain's data key, bound to
  // the table it goes to.
  const seal = (place: SealedPlace) => batch.boxes.at(place).seal(plain);
  if (!m.ok) {
    const key = c.ids.next();
    const payload = seal("profile_dead_letters.payload");
    const id = deadLetterId(batch, c, index, m.code, plain);
    const row = deadLetter(id, c.domainName, c.typeName, null, payload, m.code, m.message, c.now);
    sealMessage(batch, row);
    const reason = { code: m.code, message: m.message };
    addDeadLetter(rows, { status: "dead_lettered", profileObjectUniqueKey: key, reason }, row);
    return;
  }
  rows.bytes += plain.length;
  const objectKey = m.uniqueKey ? objectKeyOf(m.uniqueKey.value) : c.ids.next();
  const prev = m.uniqueKey ? c.stored.get(objectKey) : undefined;
  if (olderThanStored(m, prev)) {
    ignore(rows, objectKey, prev!, "OLDER_THAN_STORED", `a newer version of ${objectKey} is stored`);
    return;
  }
  if (replayedUnchanged(batch, m, prev, plain)) {
    ignore(rows, objectKey, prev!, "UNCHANGED", `${objectKey} is stored as it is since the last checkpoint`);
    return;
  }
  const place = placeObject(batch.compiled, c, rows, m, objectKey, prev);
  if (typeof place === "string") {
    rows.bytes -= plain.length;
    const code = "NO_MATCHING_PROFILE";
    const payload = seal("profile_dead_letters.payload");
    const id = deadLetterId(batch, c, index, code, plain);
    const row = deadLetter(id, c.domainName, c.typeName, objectKey, payload, code, place, c.now);
    sealMessage(batch, row);
    const reason = { code, message: place };
    addDeadLetter(rows, { status: "dead_lettered", profileObjectUniqueKey: objectKey, reason }, row);
    return;
  }
  rows.accepted++;
  addObjectRows(c, rows, m, objectKey, seal("profile_objects.payload"), place, prev);
}

/** An object not written: its stored version stays (a newer one, or the same read again). */
function ignore(rows: BatchRows, objectKey: string, prev: StoredObject, code: string, message: string): void {
  rows.ignored++;
  const reason = { code, message };
  rows.results.push({
    status: "ignored",
    profileObjectUniqueKey: objectKey,
    profileId: prev.profileId,
    reason,
  });
}

/**
 * A page read again after a crash (IngestOptions.replay) finds what its committed parts stored: an
 * object written since the last checkpoint (`replay.since`) with the same source time and payload is
 * not written again — no second history row, no second matching pass.
 */
function replayedUnchanged(
  batch: IngestBatch,
  m: MappedObject,
  prev: StoredObject | undefined,
  plain: string,
): boolean {
  if (!batch.replay || prev?.payload === undefined) return false;
  if (prev.sourceTimestamp !== (m.sourceTimestamp ?? null)) return false;
  return batch.boxes.at("profile_objects.payload").open(prev.payload) === plain;
}

/**
 * A dead letter's id: random, or under a replay derived from the execution, the record's source id,
 * the reason and the record (through the domain's keyed index, so it tells nothing of the record), so
 * the dead letter a committed part kept is not kept twice; two source records alike but for their id
 * are two dead letters.
 */
function deadLetterId(batch: IngestBatch, c: RowContext, index: number, code: string, plain: string): string {
  if (!batch.replay) return c.ids.next();
  const { seed, recordIds } = batch.replay;
  const recordId = recordIds?.[index] ?? "";
  const blind = batch.boxes.index("_deadLetter", `${seed}\u0000${recordId}\u0000${code}\u0000${plain}`);
  return createHash("sha256").update(blind).digest("hex").slice(0, 32);
}

/** A dead letter's message may quote the record (a parser's error shows the text it choked on): sealed too. */
function sealMessage(batch: IngestBatch, row: { message: string }): void {
  row.message = batch.boxes.at("profile_dead_letters.message").seal(row.message);
}

function olderThanStored(m: MappedObject, prev: StoredObject | undefined): boolean {
  return (
    prev !== undefined &&
    m.sourceTimestamp !== undefined &&
    prev.sourceTimestamp !== null &&
    m.sourceTimestamp < prev.sourceTimestamp
  );
}

/**
 * The identity decision: the profile of the stored version of its UNIQUE key, else the one its keys
 * find, else a new profile when the type allows creation. Returns why not when none applies.
 */
function placeObject(
  compiled: CompiledObjectType,
  c: RowContext,
  rows: BatchRows,
  m: MappedObject,
  objectKey: string,
  prev: StoredObject | undefined,
): Placement | string {
  if (prev) {
    if (prev.inDb) rows.replacedInDb.set(objectKey, prev.profileId);
    return { profileId: prev.profileId, status: "replaced", ambiguous: [] };
  }
  const match = matchProfile(m.keys, (p) => c.owners.get(p));
  if (match.profileId) {
    return {
      profileId: match.profileId,
      status: "matched",
      matchedBy: match.matchedBy,
      ambiguous: match.ambiguous,
    };
  }
  if (compiled.allowProfileCreation) {
    const profileId = c.ids.next();
    rows.created.set(profileId, { sources: new Map(), historyIndex: -1 });
    return { profileId, status: "created", ambiguous: match.ambiguous };
  }
  return match.ambiguous.length
    ? `no key matched one profile (ambiguous: ${match.ambiguous.map((a) => a.keyName).join(", ")}) and the object type does not allow profile creation`
    : "no key matched a profile and the object type does not allow profile creation";
}

/** Rule-based matching right after the batch is written, in its transaction and under its domain lock. */
async function matchBatch(
  trx: Kysely<Database>,
  batch: IngestBatch,
  c: RowContext,
  rows: BatchRows,
): Promise<void> {
  const merged = await matchProfiles(
    trx,
    batch.database.dialect,
    batch.domainName,
    c.matching,
    [...rows.created.keys(), ...rows.touched.keys()],
    batch.now,
    batch.boxes,
    undefined,
    {
      profiles: new Map([...rows.createdValues].map(([id, byObject]) => [id, [...byObject.values()].flat()])),
      objects: { typeName: batch.typeName, values: rows.objectValues },
      raw: batch.database.sqlite,
    },
  );
  for (const r of rows.results) {
    const main = r.profileId === undefined ? undefined : merged.mainOf.get(r.profileId);
    if (main !== undefined) r.profileId = main;
  }
}
