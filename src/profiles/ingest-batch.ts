import type { Insertable, Kysely } from "kysely";
import type {
  ProfileDeadLettersTable,
  ProfileHistoryTable,
  ProfileKeysTable,
  ProfileObjectsTable,
} from "../db/schema/profiles.ts";
import type { Database } from "../db/schema.ts";
import type { CompiledObjectType, MapResult } from "../ingest/index.ts";
import { type MatchValue, matchValues } from "../ingest/matching/matching-rules.ts";
import { BatchIds } from "./batch-ids.ts";
import { matchingKeys, matchProfile, storedKeys } from "./identity-resolution.ts";
import { deadLetter, objectKeyOf, payloadText } from "./ingest-rows.ts";
import type { IngestDatabase, IngestResult, IngestStatus, IngestSummary } from "./ingest-types.ts";
import { lookupKeyOwners, pairKey, registerKeyTypes } from "./key-index.ts";
import { matchProfiles } from "./matching/match-profiles.ts";
import { matchingRulesOf } from "./matching/matching-settings.ts";
import { type FieldSource, flatten } from "./profile-fields.ts";
import { historyRow } from "./profile-history.ts";
import { storedObjects } from "./stored-objects.ts";
import { type CreatedProfile, writeBatch } from "./write-batch.ts";

/** One batch of one object type, as the ingestor hands it over (inside the caller's transaction). */
export interface IngestBatch {
  database: IngestDatabase;
  domainName: string;
  typeName: string;
  compiled: CompiledObjectType;
  priority: number | null;
  now: number;
  performedBy: string;
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
): Promise<IngestSummary> {
  const { database, domainName, typeName, compiled, priority, now, performedBy } = batch;
  const dialect = database.dialect;
  const ids = new BatchIds(mapped.length * 2);
  await registerKeyTypes(trx, domainName, compiled.keyContentTypes);

  // Bulk reads: who holds each matching key value, and the stored version of each UNIQUE key.
  const pairs: { name: string; value: string }[] = [];
  const uniqueValues: string[] = [];
  for (const m of mapped) {
    if (!m.ok) continue;
    for (const k of matchingKeys(m.keys)) pairs.push({ name: k.name, value: k.value });
    if (m.uniqueKey) uniqueValues.push(objectKeyOf(m.uniqueKey.value));
  }
  const owners = await lookupKeyOwners(trx, dialect, domainName, pairs);
  const stored = await storedObjects(trx, dialect, domainName, typeName, uniqueValues);
  // Rule-based matching: each object's normalized matching values are stored as `_m.*` keys with it.
  const matching = await matchingRulesOf(trx, domainName);
  const createdValues = new Map<string, Map<string, MatchValue[]>>();

  const results: IngestResult[] = [];
  const objectRows = new Map<string, Insertable<ProfileObjectsTable>>();
  const keyRows = new Map<string, Insertable<ProfileKeysTable>[]>();
  const replacedInDb = new Map<string, string>(); // stored object → its profile
  const created = new Map<string, CreatedProfile>();
  const touched = new Map<string, number>(); // existing profile → index of its last history row
  const history: { row: Insertable<ProfileHistoryTable>; content: Record<string, unknown> }[] = [];
  const deadLetters: Insertable<ProfileDeadLettersTable>[] = [];
  let accepted = 0;
  let ignored = 0;
  let bytes = 0;

  for (let i = 0; i < mapped.length; i++) {
    const m = mapped[i]!;
    const payload = payloadText(raws[i]);
    if (!m.ok) {
      const key = ids.next();
      deadLetters.push(deadLetter(ids.next(), domainName, typeName, null, payload, m.code, m.message, now));
      results.push({
        status: "dead_lettered",
        profileObjectUniqueKey: key,
        reason: { code: m.code, message: m.message },
      });
      continue;
    }
    bytes += payload.length;
    const objectKey = m.uniqueKey ? objectKeyOf(m.uniqueKey.value) : ids.next();
    const prev = m.uniqueKey ? stored.get(objectKey) : undefined;
    if (
      prev &&
      m.sourceTimestamp !== undefined &&
      prev.sourceTimestamp !== null &&
      m.sourceTimestamp < prev.sourceTimestamp
    ) {
      ignored++;
      const message = `a newer version of ${objectKey} is stored`;
      results.push({
        status: "ignored",
        profileObjectUniqueKey: objectKey,
        profileId: prev.profileId,
        reason: { code: "OLDER_THAN_STORED", message },
      });
      continue;
    }
    let profileId: string;
    let status: IngestStatus;
    let matchedBy: { keyName: string; value: string } | undefined;
    let ambiguous: unknown[] = [];
    if (prev) {
      profileId = prev.profileId;
      status = "replaced";
      if (prev.inDb) replacedInDb.set(objectKey, prev.profileId);
    } else {
      const match = matchProfile(m.keys, (p) => owners.get(p));
      ambiguous = match.ambiguous;
      if (match.profileId) {
        profileId = match.profileId;
        matchedBy = match.matchedBy;
        status = "matched";
      } else if (compiled.allowProfileCreation) {
        profileId = ids.next();
        status = "created";
        created.set(profileId, { sources: new Map(), historyIndex: -1 });
      } else {
        const why = match.ambiguous.length
          ? `no key matched one profile (ambiguous: ${match.ambiguous.map((a) => a.keyName).join(", ")}) and the object type does not allow profile creation`
          : "no key matched a profile and the object type does not allow profile creation";
        bytes -= payload.length;
        deadLetters.push(
          deadLetter(ids.next(), domainName, typeName, objectKey, payload, "NO_MATCHING_PROFILE", why, now),
        );
        results.push({
          status: "dead_lettered",
          profileObjectUniqueKey: objectKey,
          reason: { code: "NO_MATCHING_PROFILE", message: why },
        });
        continue;
      }
    }
    accepted++;
    const isCreated = status === "created";
    const leaves = flatten(m.profile);
    if (isCreated) {
      // An inferred profile gets the record's email and phone even when they have no Target.
      if (m.inferred.EmailAddress !== undefined && !("EmailAddress" in leaves))
        leaves.EmailAddress = m.inferred.EmailAddress;
      if (m.inferred.PhoneNumber !== undefined && !("PhoneNumber" in leaves))
        leaves.PhoneNumber = m.inferred.PhoneNumber;
    }
    const source: FieldSource = {
      leaves,
      timestamp: m.sourceTimestamp ?? now,
      priority,
      updatedAt: now,
      id: `${typeName}\u0000${objectKey}`,
    };
    objectRows.set(objectKey, {
      domain_name: domainName,
      object_type_name: typeName,
      object_key: objectKey,
      profile_id: profileId,
      payload,
      fields: JSON.stringify(leaves),
      source_timestamp: m.sourceTimestamp ?? null,
      priority,
      updated_at: now,
    });
    const keep = storedKeys(m.keys, isCreated);
    const rows: Insertable<ProfileKeysTable>[] = keep.map((k) => ({
      domain_name: domainName,
      key_name: k.name,
      key_value: k.value,
      profile_id: profileId,
      origin: "object",
      object_type_name: typeName,
      object_key: objectKey,
    }));
    if (matching.enabled) {
      const values = matchValues(matching, leaves);
      // A profile this batch created holds only this batch's objects: its values are known here.
      const mine = created.has(profileId) ? (createdValues.get(profileId) ?? new Map()) : undefined;
      if (mine) createdValues.set(profileId, mine.set(objectKey, values));
      for (const v of values) {
        rows.push({
          ...keyRowBase(domainName, profileId, typeName, objectKey),
          key_name: v.keyName,
          key_value: v.value,
        });
      }
    }
    keyRows.set(objectKey, rows);
    for (const k of keep) {
      const pk = pairKey(k.name, k.value);
      const set = owners.get(pk) ?? new Set<string>();
      set.add(profileId);
      owners.set(pk, set);
    }
    stored.set(objectKey, {
      profileId,
      sourceTimestamp: m.sourceTimestamp ?? null,
      inDb: prev?.inDb ?? false,
    });
    const content: Record<string, unknown> = {};
    if (matchedBy) content.MatchedBy = { KeyName: matchedBy.keyName, Value: matchedBy.value };
    if (isCreated) content.ProfileCreated = true;
    if (status === "replaced") content.ReplacedObject = true;
    if (ambiguous.length) content.AmbiguousKeys = ambiguous;
    history.push({
      row: historyRow(
        domainName,
        {
          profileId,
          objectTypeName: typeName,
          actionType: "INGESTED",
          profileObjectUniqueKey: objectKey,
          performedBy,
          content: {},
        },
        now,
        ids.next(),
      ),
      content,
    });
    const state = created.get(profileId);
    if (state) {
      state.sources.set(source.id, source);
      state.historyIndex = history.length - 1;
    } else {
      touched.set(profileId, history.length - 1);
    }
    const result: IngestResult = { status, profileObjectUniqueKey: objectKey, profileId };
    if (matchedBy) result.matchedBy = matchedBy;
    results.push(result);
  }

  await writeBatch(trx, database, domainName, typeName, now, {
    replacedInDb,
    objectRows: [...objectRows.values()],
    keyRows: [...keyRows.values()].flat(),
    created,
    touched,
    history,
    deadLetters,
  });
  if (matching.enabled) {
    // Matching right after the batch is written, in its transaction and under its domain lock.
    const merged = await matchProfiles(
      trx,
      dialect,
      domainName,
      matching,
      [...created.keys(), ...touched.keys()],
      now,
      undefined,
      new Map([...createdValues].map(([id, byObject]) => [id, [...byObject.values()].flat()])),
    );
    for (const r of results) {
      const main = r.profileId === undefined ? undefined : merged.mainOf.get(r.profileId);
      if (main !== undefined) r.profileId = main;
    }
  }
  return { accepted, deadLettered: deadLetters.length, ignored, bytes, results };
}

function keyRowBase(domainName: string, profileId: string, typeName: string, objectKey: string) {
  return {
    domain_name: domainName,
    profile_id: profileId,
    origin: "object",
    object_type_name: typeName,
    object_key: objectKey,
  };
}
