import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import {
  type Comparison,
  compareRecords,
  explainComparison,
  FIELDS,
  type LinkageField,
  packComparison,
  type SharedValue,
} from "../../ingest/matching/fellegi-sunter.ts";
import { type Linkage, linkRecords, type ScoredPair } from "../../ingest/matching/link-records.ts";
import { type LinkageRecord, linkageRecordOf } from "../../ingest/matching/linkage-record.ts";
import { inValues } from "../bulk.ts";
import { domainMatchingColumn } from "../domain-settings-columns.ts";
import { inDomainTransaction } from "../domain-transaction.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import { objectFieldsColumn, profileFieldsColumn } from "../leaves-columns.ts";
import type { Leaves } from "../profile-fields.ts";
import {
  type AutoMergingSettings,
  jobAutoMergingColumn,
  storedAutoMerging,
} from "./identity-resolution-columns.ts";
import {
  deleteMatchesExcept,
  getJob,
  insertMatches,
  type MlMatch,
  updateJob,
} from "./identity-resolution-store.ts";
import { matchIdOf } from "./match-id.ts";
import { chooseMain, loadProfiles, unmergedPairs } from "./match-profiles.ts";
import { type GroupMerge, mergeGroupsIn } from "./merge-groups.ts";
import { DEFAULT_GUARDS, mergeGroups, ROLE_MAILBOXES, type RuleEdge } from "./rule-matcher.ts";

/** Who ML merges are performed by, in history. */
export const ML_MATCHING_ACTOR = "identity-resolution-job";

/** Pairs at least this likely to be one person are recorded as matches (GetMatches). */
export const MIN_MATCH_SCORE = 0.5;

/** AutoMerging without MinAllowedConfidenceScoreForMerging merges pairs at least this likely (docs/matching.md). */
export const DEFAULT_MERGE_SCORE = 0.99;

/** Profiles read per query while preprocessing; groups merged per transaction (the domain lock's hold). */
const READ_PAGE = 2000;
const MERGE_BATCH = 100;

export type { AutoMergingSettings } from "./identity-resolution-columns.ts";

/** Consolidation attribute names → the compared field that stands for them. */
const ATTRIBUTE_FIELD: Record<string, LinkageField> = {
  FirstName: "FirstName",
  LastName: "LastName",
  BirthDate: "BirthDate",
  EmailAddress: "EmailAddress",
  PersonalEmailAddress: "EmailAddress",
  BusinessEmailAddress: "EmailAddress",
  PhoneNumber: "PhoneNumber",
  HomePhoneNumber: "PhoneNumber",
  MobilePhoneNumber: "PhoneNumber",
  BusinessPhoneNumber: "PhoneNumber",
  Address: "Address",
  ShippingAddress: "Address",
  MailingAddress: "Address",
  BillingAddress: "Address",
};

const idx = (f: LinkageField) => FIELDS.indexOf(f);

/**
 * Runs one identity resolution job of a domain (ML matching): PREPROCESSING reads every profile in
 * pages (no lock: plain reads); FIND_MATCHING links them (blocking, Fellegi–Sunter with weights
 * estimated by EM from this domain's pairs) and stores the pairs scoring ≥ MIN_MATCH_SCORE under the
 * job; MERGING (AutoMerging.Enabled) merges, in short transactions of MERGE_BATCH groups holding the
 * domain lock, the pairs above the threshold that pass the guards; COMPLETED makes the job's matches
 * the ones GetMatches answers. Returns "aborted" (the job back to PENDING, to run again) when `signal`
 * fires; a failure marks the job FAILED with its message.
 */
export async function runIdentityResolutionJob(
  database: IngestDatabase,
  domainName: string,
  jobId: string,
  clock: { now(): number },
  signal?: AbortSignal,
): Promise<"done" | "aborted"> {
  const { db } = database;
  const job = await getJob(db, domainName, jobId);
  if (!job || !["PENDING", "PREPROCESSING", "FIND_MATCHING", "MERGING"].includes(job.status)) return "done";
  const set = (patch: Parameters<typeof updateJob>[3]) =>
    updateJob(db, domainName, jobId, { ...patch, updated_at: clock.now() });
  try {
    const domain = await domainAutoMerging(db, domainName);
    if (!domain) return "done";
    const { autoMerging } = domain;
    await set({
      status: "PREPROCESSING",
      started_at: job.startedAt ?? clock.now(),
      auto_merging: autoMerging ? jobAutoMergingColumn.stringify(autoMerging) : null,
      message: null,
    });
    const records = await readRecords(db, domainName, signal);
    if (!records) return aborted();
    await set({ status: "FIND_MATCHING", reviewed: records.length });
    const linkage = await findMatches(database, domainName, jobId, records, set, signal);
    if (!linkage) return aborted();
    if (autoMerging?.Enabled) {
      await set({ status: "MERGING" });
      const merged = await mergeLinked(
        database,
        domainName,
        jobId,
        records,
        linkage,
        autoMerging,
        clock,
        signal,
      );
      await set({ merges_done: (await getJob(db, domainName, jobId))!.mergesDone + merged.count });
      if (merged.aborted) return aborted();
    }
    await set({ status: "COMPLETED", ended_at: clock.now() });
    await deleteMatchesExcept(db, domainName, jobId);
    return "done";
  } catch (e) {
    await set({
      status: "FAILED",
      ended_at: clock.now(),
      message: String((e as Error).message).slice(0, 2048),
    });
    throw e;
  }

  async function aborted(): Promise<"aborted"> {
    await set({ status: "PENDING" });
    return "aborted";
  }
}

/** The domain's stored AutoMerging settings (undefined when it has none); undefined when the domain is gone. */
async function domainAutoMerging(
  db: Kysely<Database>,
  domainName: string,
): Promise<{ autoMerging: AutoMergingSettings | undefined } | undefined> {
  const domain = await db
    .selectFrom("domains")
    .select("matching")
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  if (!domain) return undefined;
  return {
    autoMerging: domain.matching
      ? storedAutoMerging(domainMatchingColumn.parse(domain.matching)["AutoMerging"])
      : undefined,
  };
}

/**
 * FIND_MATCHING: links the records (the pairs kept apart separated, the profiles' own records as known
 * matches) and stores the pairs and the model under the job; undefined when `signal` fired.
 */
async function findMatches(
  database: IngestDatabase,
  domainName: string,
  jobId: string,
  records: LinkageRecord[],
  set: (patch: Parameters<typeof updateJob>[3]) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<Linkage | undefined> {
  const { db, dialect } = database;
  const shared = sharedValues(records);
  const isShared = (kind: "email" | "phone", v: string) => shared.has(`${kind}:${v}`);
  const apart = await unmergedPairs(
    db,
    dialect,
    domainName,
    records.map((r) => r.id),
  );
  const positives = await knownMatches(database, domainName, records, isShared);
  const linkage = await linkRecords(records, isShared, {
    minScore: MIN_MATCH_SCORE,
    positives,
    separate: (a, b) => apart.has(pairText(records[a]!.id, records[b]!.id)),
    ...(signal ? { signal } : {}),
  });
  if (!linkage) return undefined;
  // Matches are stored under the job; GetMatches shows them once the job is COMPLETED.
  await db
    .deleteFrom("ml_matches")
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .execute();
  await insertMatches(db, dialect, domainName, jobId, matchesOf(records, linkage));
  await set({
    matches_found: linkage.pairs.length,
    model: JSON.stringify({
      ...linkage.model,
      candidates: linkage.candidates,
      knownPairs: total(positives),
    }),
  });
  return linkage;
}

const total = (counts: ReadonlyMap<number, number>) => [...counts.values()].reduce((s, n) => s + n, 0);

const pairText = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** Every profile of the domain as a linkage record, read in pages by id; undefined when aborted. */
async function readRecords(
  db: Kysely<Database>,
  domainName: string,
  signal?: AbortSignal,
): Promise<LinkageRecord[] | undefined> {
  const out: LinkageRecord[] = [];
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom("profiles")
      .select(["profile_id", "fields"])
      .where("domain_name", "=", domainName)
      .orderBy("profile_id")
      .limit(READ_PAGE);
    if (after !== undefined) q = q.where("profile_id", ">", after);
    const rows = await q.execute();
    for (const r of rows) out.push(linkageRecordOf(r.profile_id, profileFieldsColumn.parse(r.fields)));
    if (rows.length < READ_PAGE) return out;
    after = rows[rows.length - 1]!.profile_id;
    if (signal?.aborted) return undefined;
  }
}

/** Objects per profile compared with each other for m (the pairs of a profile of many objects are many). */
const MAX_OBJECTS_PER_PROFILE = 8;

/**
 * What one person looks like across records, from the domain's own data: the comparison vectors of
 * every two objects one profile holds (joined by a key or a merge: one person, to the precision of
 * keys and rules), read in pages of profiles. A rule-based merge joined its records because they
 * agreed, so m leans towards agreement — disagreement then weighs more against a match, which costs
 * recall, never precision.
 */
async function knownMatches(
  database: IngestDatabase,
  domainName: string,
  records: readonly LinkageRecord[],
  shared: SharedValue,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const ids = records.map((r) => r.id);
  for (let i = 0; i < ids.length; i += READ_PAGE) {
    const rows = await database.db
      .selectFrom("profile_objects")
      .select(["profile_id", "fields"])
      .where("domain_name", "=", domainName)
      .where(inValues(database.dialect, "profile_id", ids.slice(i, i + READ_PAGE)))
      .execute();
    const byProfile = new Map<string, LinkageRecord[]>();
    for (const r of rows) {
      const list = byProfile.get(r.profile_id) ?? [];
      if (list.length < MAX_OBJECTS_PER_PROFILE)
        list.push(linkageRecordOf(r.profile_id, objectFieldsColumn.parse(r.fields)));
      byProfile.set(r.profile_id, list);
    }
    for (const list of byProfile.values()) {
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          const code = packComparison(compareRecords(list[a]!, list[b]!, shared));
          out.set(code, (out.get(code) ?? 0) + 1);
        }
      }
    }
  }
  return out;
}

/**
 * The shared emails and phones (as `email:v` / `phone:v`): the precision guards' definition
 * (docs/matching.md) over the whole domain — a role mailbox, a value held by more than 10 profiles, or
 * one whose holders carry two or more different first names.
 */
function sharedValues(records: readonly LinkageRecord[]): Set<string> {
  const holders = new Map<string, { count: number; names: Set<string> }>();
  const note = (k: string, r: LinkageRecord) => {
    const h = holders.get(k) ?? { count: 0, names: new Set<string>() };
    h.count++;
    if (r.firstName) h.names.add(r.firstName);
    holders.set(k, h);
  };
  for (const r of records) {
    for (const e of r.emails) note(`email:${e}`, r);
    for (const p of r.phones) note(`phone:${p}`, r);
  }
  const out = new Set<string>();
  for (const [k, h] of holders) {
    const local = k.startsWith("email:") ? k.slice(6, k.indexOf("@")) : undefined;
    if (
      (local !== undefined && ROLE_MAILBOXES.has(local)) ||
      h.count > DEFAULT_GUARDS.maxProfilesPerValue ||
      h.names.size > 1
    )
      out.add(k);
  }
  return out;
}

function matchesOf(records: readonly LinkageRecord[], linkage: Linkage): MlMatch[] {
  return linkage.pairs.map((p) => {
    const a = records[p.a]!.id;
    const b = records[p.b]!.id;
    return {
      matchId: matchIdOf(a, b),
      profileA: a < b ? a : b,
      profileB: a < b ? b : a,
      score: p.score,
      detail: { Comparison: p.comparison, Fields: explainComparison(linkage.model, p.comparison) },
    };
  });
}

/** The fields a pair agrees on exactly (a shared email or phone counts: it is equal). */
function agreeing(comparison: Comparison): LinkageField[] {
  return FIELDS.filter((f, i) => {
    const l = comparison[i]!;
    return l === 0 || ((f === "EmailAddress" || f === "PhoneNumber") && l === 1);
  });
}

/**
 * Whether a pair may merge: its score reaches the threshold; it agrees on something that identifies a
 * person beyond names (an email or phone nobody else shares, a birth date, an address — the guards:
 * name-only agreement and a shared value alone never merge); and, with Consolidation, on every
 * attribute of one of its lists (an attribute ML matching does not compare never agrees).
 */
export function mayMerge(
  p: { comparison: Comparison; score: number },
  threshold: number,
  consolidation: readonly (readonly string[])[] | undefined,
): boolean {
  if (p.score < threshold) return false;
  const c = p.comparison;
  const identifying =
    c[idx("EmailAddress")] === 0 ||
    c[idx("PhoneNumber")] === 0 ||
    c[idx("BirthDate")] === 0 ||
    c[idx("Address")] === 0;
  if (!identifying) return false;
  if (!consolidation) return true;
  const agree = new Set(agreeing(c));
  return consolidation.some((list) =>
    list.every((attr) => {
      const f = ATTRIBUTE_FIELD[attr] ?? (attr.startsWith("Address.") ? "Address" : undefined);
      return f !== undefined && agree.has(f);
    }),
  );
}

/**
 * Merges the pairs that may merge: groups formed best score first under the veto (one first name and
 * one birth date per group, never profiles an unmerge separated), then merged MERGE_BATCH groups per
 * transaction under the domain lock. Each batch re-reads its profiles: one merged or deleted since the
 * job read it drops out, and the vetoes are checked again against the fields as they are now.
 */
async function mergeLinked(
  database: IngestDatabase,
  domainName: string,
  jobId: string,
  records: readonly LinkageRecord[],
  linkage: Linkage,
  settings: AutoMergingSettings,
  clock: { now(): number },
  signal?: AbortSignal,
): Promise<{ count: number; aborted: boolean }> {
  const threshold = settings.MinAllowedConfidenceScoreForMerging ?? DEFAULT_MERGE_SCORE;
  const consolidation = settings.Consolidation?.MatchingAttributesList;
  const edges: RuleEdge[] = linkage.pairs
    .filter((p) => mayMerge(p, threshold, consolidation))
    .map((p) => edgeOf(records, p));
  const snapshot = new Map<string, Leaves>();
  for (const r of records) snapshot.set(r.id, leavesOf(r));
  const groups = mergeGroups(edges, snapshot);
  const conflict = {
    model: settings.ConflictResolution?.ConflictResolvingModel ?? "RECENCY",
    ...(settings.ConflictResolution?.SourceName !== undefined
      ? { sourceName: settings.ConflictResolution.SourceName }
      : {}),
  } as const;
  let count = 0;
  for (let i = 0; i < groups.length; i += MERGE_BATCH) {
    if (signal?.aborted) return { count, aborted: true };
    const batch = groups.slice(i, i + MERGE_BATCH);
    count += await inDomainTransaction(database.db, database.dialect, domainName, async (trx) => {
      const ids = batch.flatMap((g) => g.members);
      const profiles = await loadProfiles(trx, database.dialect, domainName, ids);
      const apart = await unmergedPairs(trx, database.dialect, domainName, [...profiles.keys()]);
      const current = new Map([...profiles].map(([id, p]) => [id, p.fields]));
      const live = batch.flatMap((g) => g.edges).filter((e) => profiles.has(e.a) && profiles.has(e.b));
      const merges: GroupMerge[] = [];
      for (const g of mergeGroups(live, current, apart)) {
        const main = await chooseMain(trx, database.dialect, domainName, conflict, g.members, profiles);
        merges.push({
          mainId: main,
          mergedIds: g.members.filter((m) => m !== main),
          cause: {
            Type: "ML_BASED_MATCHING",
            JobId: jobId,
            Links: g.edges.map((e) => ({
              ProfileIds: [e.a, e.b],
              ConfidenceScore: e.values["ConfidenceScore"] ? Number(e.values["ConfidenceScore"]) : undefined,
              AgreeingFields: e.rule,
            })),
          },
        });
      }
      await mergeGroupsIn(trx, database.dialect, domainName, merges, ML_MATCHING_ACTOR, clock.now());
      return merges.reduce((s, m) => s + m.mergedIds.length, 0);
    });
  }
  return { count, aborted: false };
}

function edgeOf(records: readonly LinkageRecord[], p: ScoredPair): RuleEdge {
  return {
    a: records[p.a]!.id,
    b: records[p.b]!.id,
    // mergeGroups takes edges lowest level first: the best score first.
    level: 1 - p.score,
    rule: agreeing(p.comparison),
    values: { ConfidenceScore: String(p.score) },
  };
}

/** The fields the veto reads (first name, birth date), normalized already. */
function leavesOf(r: LinkageRecord): Leaves {
  return {
    ...(r.firstName ? { FirstName: r.firstName } : {}),
    ...(r.birthDate ? { BirthDate: r.birthDate } : {}),
  };
}
