import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Logger } from "../core/logger.ts";
import { type DialectName, dialectOf } from "../db/dialect.ts";
import { emptyWal } from "../db/empty-wal.ts";
import { SEALED_FORMAT } from "../db/schema/kms.ts";
import type { Database } from "../db/schema.ts";
import type { DomainBoxes, DomainSealer, SealedPlace } from "./domain-sealer.ts";
import { inDomainTransaction } from "./domain-transaction.ts";

/** Rows read, converted and committed per transaction. */
export const UPGRADE_BATCH = 1_000;

/**
 * A value sealed under a data key (`pfe3.` bound to a kind of place, `pfe2.` to its place, or `pfe1.` from
 * before values were bound).
 */
const isSealed = (v: string): boolean =>
  v.startsWith("pfe3.") || v.startsWith("pfe2.") || v.startsWith("pfe1.");
/** A key value already stored as its blind index. */
const isIndexed = (v: string): boolean => v.startsWith("pfh1.");

/** A table whose sealed columns an older domain may hold in clear, read in primary-key order. */
interface SealedTable {
  table:
    | "profiles"
    | "profile_objects"
    | "profile_history"
    | "profile_merges"
    | "rule_matches"
    | "profile_dead_letters";
  /** The primary key after `domain_name`. */
  key: readonly string[];
  columns: readonly string[];
}

const TABLES: readonly SealedTable[] = [
  { table: "profiles", key: ["profile_id"], columns: ["fields", "manual"] },
  { table: "profile_objects", key: ["object_type_name", "object_key"], columns: ["fields"] },
  { table: "profile_history", key: ["profile_id", "record_id"], columns: ["content"] },
  { table: "profile_merges", key: ["merge_id"], columns: ["before", "cause"] },
  { table: "rule_matches", key: ["match_id"], columns: ["detail"] },
  { table: "profile_dead_letters", key: ["dead_letter_id"], columns: ["message"] },
];

export interface SealedFormatUpgradeDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  sealer: DomainSealer;
  logger: Pick<Logger, "info" | "warn">;
  /** Rows per transaction (tests make it small). */
  batchSize?: number;
  /** Called after each committed batch (tests stop the upgrade there, as a crash would). */
  afterBatch?: () => void;
}

/** What one domain's upgrade changed. */
export interface DomainUpgradeCounts {
  sealed: Record<string, number>;
  indexedKeys: number;
}

/**
 * Converts, in place, the rows of every domain whose data key predates sealed fields and indexed key
 * values (`domain_data_keys.sealed_format` < SEALED_FORMAT): each plain value of a sealed column is
 * sealed (merge records' manual keys indexed first, as merges write them now) and each plain key value
 * replaced by its blind index; then the domain's format is set. Run by every process at start-up,
 * before it serves (src/main.ts). Per domain, in transactions of `batchSize` rows under the domain's
 * lock, each converting only the values still plain: a crash leaves converted batches converted and
 * the format unset, and the next start carries on; two processes starting at once each skip what the
 * other converted, and each serves only once its own pass has seen every row converted. Linear: every
 * table is read once in primary-key order (keyset pages). A domain whose KMS key cannot be used now
 * (disabled, deleted) is left for a later start, with a warning: its data cannot be read anyway.
 */
export async function upgradeSealedFormats(deps: SealedFormatUpgradeDeps): Promise<void> {
  const pending = await deps.db
    .selectFrom("domain_data_keys")
    .select("domain_name")
    .where("sealed_format", "<", SEALED_FORMAT)
    .orderBy("domain_name")
    .execute();
  let converted = 0;
  for (const { domain_name: domainName } of pending) {
    let boxes: DomainBoxes;
    try {
      boxes = await deps.sealer.boxesIn(deps.db, domainName, { anyFormat: true });
    } catch (e) {
      deps.logger.warn(
        { domain: domainName, err: e },
        "domain's rows not converted to the sealed format: its KMS key cannot be used now (converted at a later start)",
      );
      continue;
    }
    const started = Date.now();
    const counts = await upgradeDomain(deps, domainName, boxes);
    await deps.db
      .updateTable("domain_data_keys")
      .set({ sealed_format: SEALED_FORMAT })
      .where("domain_name", "=", domainName)
      .execute();
    deps.logger.info(
      { domain: domainName, ...counts, ms: Date.now() - started },
      "domain's rows converted to the sealed format (fields sealed, key values indexed)",
    );
    converted++;
  }
  if (converted > 0 && deps.dialect === "sqlite") {
    // The rows are converted: a VACUUM refused (another process busy past the timeout) must not stop the start.
    await forgetFreedPages(deps.db).catch((e: unknown) =>
      deps.logger.warn(
        { err: e },
        "VACUUM after the sealed-format upgrade failed: the replaced plain values stay in the file's free space until `VACUUM` is run",
      ),
    );
  }
}

/**
 * SQLite keeps a replaced value's bytes in freed space of its pages and in the WAL until they are
 * overwritten: the plain values just sealed would still be in the file. VACUUM writes the database
 * anew (cost: one copy of the file, once per upgrade) and the TRUNCATE checkpoint empties the WAL.
 */
async function forgetFreedPages(db: Kysely<Database>): Promise<void> {
  await sql`vacuum`.execute(db);
  await emptyWal(db);
}

async function upgradeDomain(
  deps: SealedFormatUpgradeDeps,
  domainName: string,
  boxes: DomainBoxes,
): Promise<DomainUpgradeCounts> {
  const sealed: Record<string, number> = {};
  if (deps.dialect === "postgres") {
    // Each page is one join of its rows with the table: planned on current statistics (a table the
    // planner believes small is joined by scanning it, page after page).
    for (const table of [...TABLES.map((t) => t.table), "profile_keys"]) {
      await sql`analyze ${sql.table(table)}`.execute(deps.db);
    }
  }
  for (const t of TABLES) {
    for (const c of t.columns) sealed[`${t.table}.${c}`] = 0;
    let after: string[] | undefined;
    for (;;) {
      const page = await inDomainTransaction(deps.db, deps.dialect, domainName, (trx) =>
        upgradeRows(trx, t, domainName, boxes, after, deps.batchSize ?? UPGRADE_BATCH, sealed),
      );
      deps.afterBatch?.();
      if (!page) break;
      after = page;
    }
  }
  let indexedKeys = 0;
  let after: [string, string] | undefined;
  for (;;) {
    const page = await inDomainTransaction(deps.db, deps.dialect, domainName, (trx) =>
      upgradeKeys(trx, domainName, boxes, after, deps.batchSize ?? UPGRADE_BATCH),
    );
    deps.afterBatch?.();
    indexedKeys += page.indexed;
    if (!page.last) break;
    after = page.last;
  }
  return { sealed, indexedKeys };
}

/** `(a, b, …)`: the key columns, or their values, as a row value. */
function tuple(parts: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql`(${sql.join(parts)})`;
}

/**
 * One page of `t` after the key `after` (primary-key order): its plain values sealed. Returns the
 * page's last key, or undefined when the table has no more rows of the domain.
 */
async function upgradeRows(
  trx: Kysely<Database>,
  t: SealedTable,
  domainName: string,
  boxes: DomainBoxes,
  after: string[] | undefined,
  limit: number,
  sealed: Record<string, number>,
): Promise<string[] | undefined> {
  const keyRefs = t.key.map((k) => sql.ref(k));
  const cursor = after ? sql`and ${tuple(keyRefs)} > ${tuple(after.map((v) => sql`${v}`))}` : sql``;
  const { rows } = await sql<Record<string, string>>`
    select ${sql.join([...t.key, ...t.columns].map((c) => sql.ref(c)))} from ${sql.table(t.table)}
    where domain_name = ${domainName} ${cursor}
    order by ${sql.join(keyRefs)} limit ${limit}`.execute(trx);
  const changed: RawBuilder<unknown>[] = [];
  const changedRows: string[][] = [];
  for (const row of rows) {
    let plain = false;
    const values = t.columns.map((c) => {
      const value = row[c]!;
      if (isSealed(value)) return value;
      plain = true;
      const place = `${t.table}.${c}` as SealedPlace;
      sealed[place] = (sealed[place] ?? 0) + 1;
      return boxes.at(place).seal(place === "profile_merges.before" ? indexManualKeys(boxes, value) : value);
    });
    if (!plain) continue;
    changedRows.push([...t.key.map((k) => row[k]!), ...values]);
    changed.push(tuple([...t.key.map((k) => row[k]!), ...values].map((v) => sql`${v}`)));
  }
  if (changed.length > 0 && dialectOf(trx) === "sqlite") {
    // SQLite plans UPDATE … FROM a VALUES list as a scan per row: one indexed update per row instead.
    for (const values of changedRows) {
      const keyValues = values.slice(0, t.key.length);
      const columnValues = values.slice(t.key.length);
      await sql`update ${sql.table(t.table)}
        set ${sql.join(t.columns.map((col, i) => sql`${sql.ref(col)} = ${columnValues[i]!}`))}
        where domain_name = ${domainName}
        ${sql.join(
          t.key.map((key, i) => sql`and ${sql.ref(key)} = ${keyValues[i]!}`),
          sql` `,
        )}`.execute(trx);
    }
  } else if (changed.length > 0) {
    // One statement per page: `k0…` the key, `c0…` the columns as they are now (sealed, or as read when already sealed).
    const k = t.key.map((_, i) => `k${i}`);
    const c = t.columns.map((_, i) => `c${i}`);
    const target = (col: string) => sql.ref(`${t.table}.${col}`);
    await sql`with v(${sql.join([...k, ...c].map((n) => sql.ref(n)))}) as (values ${sql.join(changed)})
      update ${sql.table(t.table)} set ${sql.join(t.columns.map((col, i) => sql`${sql.ref(col)} = ${sql.ref(`v.${c[i]}`)}`))}
      from v where ${target("domain_name")} = ${domainName}
      ${sql.join(
        t.key.map((key, i) => sql`and ${target(key)} = ${sql.ref(`v.${k[i]}`)}`),
        sql` `,
      )}`.execute(trx);
  }
  if (rows.length < limit) return undefined;
  const last = rows[rows.length - 1]!;
  return t.key.map((k) => last[k]!);
}

/**
 * A merge record of an older domain lists the manual keys it took away in clear; merges now record
 * them as stored (indexed), which is what unmerge writes back.
 */
function indexManualKeys(boxes: DomainBoxes, before: string): string {
  const state = JSON.parse(before) as { manualKeys?: { keyName: string; value: string }[] };
  for (const k of state.manualKeys ?? []) {
    if (!isIndexed(k.value)) k.value = boxes.index(k.keyName, k.value);
  }
  return JSON.stringify(state);
}

/**
 * One page of the domain's distinct (key name, key value) pairs after `after`, in the lookup index's
 * order: each plain value replaced by its blind index in every row holding it. Returns the rows
 * changed and the page's last pair (undefined when there are no more).
 */
async function upgradeKeys(
  trx: Kysely<Database>,
  domainName: string,
  boxes: DomainBoxes,
  after: [string, string] | undefined,
  limit: number,
): Promise<{ indexed: number; last: [string, string] | undefined }> {
  const cursor = after ? sql`and (key_name, key_value) > (${after[0]}, ${after[1]})` : sql``;
  const { rows } = await sql<{ key_name: string; key_value: string }>`
    select distinct key_name, key_value from profile_keys
    where domain_name = ${domainName} ${cursor}
    order by key_name, key_value limit ${limit}`.execute(trx);
  const plain = rows.filter((r) => !isIndexed(r.key_value));
  let indexed = 0;
  if (plain.length > 0 && dialectOf(trx) === "sqlite") {
    for (const r of plain) {
      const result = await trx
        .updateTable("profile_keys")
        .set({ key_value: boxes.index(r.key_name, r.key_value) })
        .where("domain_name", "=", domainName)
        .where("key_name", "=", r.key_name)
        .where("key_value", "=", r.key_value)
        .executeTakeFirst();
      indexed += Number(result.numUpdatedRows);
    }
  } else if (plain.length > 0) {
    const pairs = plain.map(
      (r) => sql`(${r.key_name}, ${r.key_value}, ${boxes.index(r.key_name, r.key_value)})`,
    );
    const result = await sql`with v(kname, kplain, kindex) as (values ${sql.join(pairs)})
      update profile_keys set key_value = v.kindex from v
      where profile_keys.domain_name = ${domainName} and profile_keys.key_name = v.kname
        and profile_keys.key_value = v.kplain`.execute(trx);
    indexed = Number(result.numAffectedRows ?? 0n);
  }
  const last = rows.length < limit ? undefined : rows[rows.length - 1]!;
  return { indexed, last: last ? [last.key_name, last.key_value] : undefined };
}
