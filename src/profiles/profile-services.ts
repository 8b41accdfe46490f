import type { Clock } from "../core/clock.ts";
import type { CompileOptions } from "../ingest/index.ts";
import { DeadLetterStore } from "./dead-letter-store.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { MergeRecords } from "./matching/merge-records.ts";
import type { ObjectTypeSource } from "./object-type-source.ts";
import { ProfileHistory } from "./profile-history.ts";
import { type IngestDatabase, ProfileIngestor } from "./profile-ingestor.ts";
import { ProfileMerge } from "./profile-merge.ts";
import { ProfileObjects } from "./profile-objects.ts";
import { ProfileSearch } from "./profile-search.ts";
import { ProfileStore } from "./profile-store.ts";

/** Everything the profiles layer offers, built over one database. */
export interface ProfileServices {
  ingestor: ProfileIngestor;
  profiles: ProfileStore;
  objects: ProfileObjects;
  search: ProfileSearch;
  merge: ProfileMerge;
  /** Explain and unmerge, over the recorded merges. */
  mergeRecords: MergeRecords;
  history: ProfileHistory;
  deadLetters: DeadLetterStore;
}

/** Builds the profile services (the composition root and tests call this). */
export function createProfileServices(
  database: IngestDatabase,
  objectTypes: ObjectTypeSource,
  clock: Clock,
  compileOptions: CompileOptions = {},
  sealer: DomainSealer = plainSealer,
): ProfileServices {
  const profiles = new ProfileStore(database.dialect, clock, sealer);
  return {
    ingestor: new ProfileIngestor(database, objectTypes, clock, compileOptions, sealer),
    profiles,
    objects: new ProfileObjects(database.dialect, profiles, clock, sealer),
    search: new ProfileSearch(profiles, database.dialect),
    merge: new ProfileMerge(database, clock, sealer),
    mergeRecords: new MergeRecords(database, clock, sealer),
    history: new ProfileHistory(sealer),
    deadLetters: new DeadLetterStore(sealer),
  };
}
