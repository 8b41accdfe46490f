import type { Kysely } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import type { RawSqlite } from "./bulk.ts";

/** What happened to one object of a batch. */
export type IngestStatus = "created" | "matched" | "replaced" | "ignored" | "dead_lettered";

/** The outcome for one object, in the order the objects were given. */
export interface IngestResult {
  status: IngestStatus;
  /** The object's ProfileObjectUniqueKey (the UNIQUE key's value, or a generated id). */
  profileObjectUniqueKey: string;
  /** The profile the object is attached to (absent when dead-lettered). */
  profileId?: string;
  /** The key that found the profile (absent when created, dead-lettered, or found by its own UNIQUE key). */
  matchedBy?: { keyName: string; value: string };
  /** Why the object was dead-lettered or ignored. */
  reason?: { code: string; message: string };
}

/** The outcome of a batch: counts plus one result per object. */
export interface IngestSummary {
  /** Objects stored (created, matched or replaced). */
  accepted: number;
  deadLettered: number;
  /** Objects older than the stored version of their UNIQUE key, or replayed unchanged (nothing written). */
  ignored: number;
  /** Characters of the JSON text of the objects not dead-lettered (what a flow counts as bytes written). */
  bytes: number;
  results: IngestResult[];
}

export interface IngestOptions {
  /** Who is ingesting, recorded in history (`PerformedBy`); default "ingestion". */
  performedBy?: string;
  /**
   * Set by a flow, whose page may be read again after a crash once some of its records committed: an
   * object whose stored version was written at or after `since` (the last checkpoint) with the same
   * payload and source time is not written again (ignored, reason UNCHANGED), and a dead letter's id is
   * derived from `seed` (the execution), the record's source id (`recordIds`, by position), its reason
   * and the record, so the same bad record read again is not kept twice.
   */
  replay?: { since: number; seed: string; recordIds?: readonly string[] } | undefined;
}

/** The storage an ingestor writes to. */
export interface IngestDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** SQLite's one connection, under `db`: the write path runs its inserts as prepared statements on it. */
  sqlite?: RawSqlite | undefined;
}
