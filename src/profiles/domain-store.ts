import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock.ts";
import { notFound, ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import { dialectOf } from "../db/dialect.ts";
import type { DomainsTable } from "../db/schema/domains.ts";
import type { Database } from "../db/schema.ts";

/** A JSON object member stored as given and echoed (Matching, RuleBasedMatching, DataStore). */
export type JsonObject = { [key: string]: unknown };

/** A domain as stored. Timestamps are epoch milliseconds. */
export interface Domain {
  name: string;
  defaultExpirationDays: number;
  /** The effective key ARN: the one given, else the one generated at creation. */
  defaultEncryptionKey: string;
  /** True when no key was given and `defaultEncryptionKey` is the generated one. */
  encryptionKeyGenerated: boolean;
  deadLetterQueueUrl: string | undefined;
  matching: JsonObject | undefined;
  ruleBasedMatching: JsonObject | undefined;
  dataStore: JsonObject | undefined;
  createdAt: number;
  updatedAt: number;
}

/** Settings of CreateDomain. For UpdateDomain every member is optional; `""` clears the two strings. */
export interface DomainSettings {
  defaultExpirationDays: number;
  defaultEncryptionKey?: string | undefined;
  deadLetterQueueUrl?: string | undefined;
  matching?: JsonObject | undefined;
  ruleBasedMatching?: JsonObject | undefined;
  dataStore?: JsonObject | undefined;
}

/** GetDomain's `Stats`. */
export interface DomainStats {
  ProfileCount: number;
  MeteringProfileCount: number;
  ObjectCount: number;
  TotalSize: number;
}

/**
 * Runs inside the DeleteDomain transaction, before the domain's object types and row go. It must use
 * `trx` only: on SQLite the one connection is held by the transaction, so `db` would deadlock.
 */
export type DomainDeleteHook = (trx: Kysely<Database>, domainName: string) => Promise<void>;

/** Adds its counts to a domain's Stats (profiles, objects and bytes live in other stores). */
export type DomainStatsSource = (domainName: string) => Promise<Partial<DomainStats>>;

export interface DomainStoreOptions {
  /** Region and account of generated key ARNs: `arn:aws:kms:{region}:{accountId}:key/{uuid}`. */
  region: string;
  accountId: string;
}

/** Domains: the containers of object types, profiles and integrations. */
export class DomainStore {
  readonly #deleteHooks: DomainDeleteHook[] = [];
  readonly #statsSources: DomainStatsSource[] = [];
  readonly #postgres: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: DomainStoreOptions,
  ) {
    this.#postgres = dialectOf(db) === "postgres";
  }

  /** Registers work that must happen when a domain is deleted (its profiles, objects, tags …). */
  onDelete(hook: DomainDeleteHook): void {
    this.#deleteHooks.push(hook);
  }

  /** Registers a contributor to GetDomain's Stats; the counts of all sources are summed. */
  addStatsSource(source: DomainStatsSource): void {
    this.#statsSources.push(source);
  }

  /** Creates a domain; ALREADY_EXISTS when the name is taken. */
  async create(name: string, settings: DomainSettings): Promise<Domain> {
    const now = this.clock.now();
    const row: Selectable<DomainsTable> = {
      domain_name: name,
      default_expiration_days: settings.defaultExpirationDays,
      default_encryption_key: settings.defaultEncryptionKey || null,
      generated_encryption_key: `arn:aws:kms:${this.options.region}:${this.options.accountId}:key/${uuid()}`,
      dead_letter_queue_url: settings.deadLetterQueueUrl || null,
      matching: jsonText(settings.matching),
      rule_based_matching: jsonText(settings.ruleBasedMatching),
      data_store: jsonText(settings.dataStore),
      created_at: now,
      updated_at: now,
    };
    const inserted = await this.db
      .insertInto("domains")
      .values(row)
      .onConflict((oc) => oc.column("domain_name").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      throw new ProfileflowError("ALREADY_EXISTS", `Domain ${name} already exists`, { member: "DomainName" });
    }
    return toDomain(row);
  }

  /** The domain, or undefined when it does not exist. */
  async get(name: string): Promise<Domain | undefined> {
    const row = await this.db
      .selectFrom("domains")
      .selectAll()
      .where("domain_name", "=", name)
      .executeTakeFirst();
    return row ? toDomain(row) : undefined;
  }

  /** The domain; RESOURCE_NOT_FOUND when it does not exist. */
  async require(name: string): Promise<Domain> {
    const domain = await this.get(name);
    if (!domain) throw notFound(`Domain ${name} does not exist`, { member: "DomainName" });
    return domain;
  }

  /** Changes the given settings only; `""` clears the encryption key (back to the generated one) or DLQ URL. */
  async update(name: string, patch: Partial<DomainSettings>): Promise<Domain> {
    const set: Partial<Selectable<DomainsTable>> = { updated_at: this.clock.now() };
    if (patch.defaultExpirationDays !== undefined) set.default_expiration_days = patch.defaultExpirationDays;
    if (patch.defaultEncryptionKey !== undefined)
      set.default_encryption_key = patch.defaultEncryptionKey || null;
    if (patch.deadLetterQueueUrl !== undefined) set.dead_letter_queue_url = patch.deadLetterQueueUrl || null;
    if (patch.matching !== undefined) set.matching = jsonText(patch.matching);
    if (patch.ruleBasedMatching !== undefined) set.rule_based_matching = jsonText(patch.ruleBasedMatching);
    if (patch.dataStore !== undefined) set.data_store = jsonText(patch.dataStore);
    const updated = await this.db
      .updateTable("domains")
      .set(set)
      .where("domain_name", "=", name)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      throw notFound(`Domain ${name} does not exist`, { member: "DomainName" });
    }
    return this.require(name);
  }

  /** One page of domains ordered by name, starting after `after`; `more` says whether another page exists. */
  async list(page: {
    after?: string | undefined;
    limit: number;
  }): Promise<{ items: Domain[]; more: boolean }> {
    let q = this.db
      .selectFrom("domains")
      .selectAll()
      .orderBy("domain_name")
      .limit(page.limit + 1);
    if (page.after !== undefined) q = q.where("domain_name", ">", page.after);
    const rows = await q.execute();
    return { items: rows.slice(0, page.limit).map(toDomain), more: rows.length > page.limit };
  }

  /** Deletes the domain, its object types and (through the hooks) everything else it holds, atomically. */
  async delete(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom("domains")
        .select("domain_name")
        .where("domain_name", "=", name)
        .$if(this.#postgres, (q) => q.forUpdate())
        .executeTakeFirst();
      if (!exists) throw notFound(`Domain ${name} does not exist`, { member: "DomainName" });
      for (const hook of this.#deleteHooks) await hook(trx, name);
      await trx.deleteFrom("object_types").where("domain_name", "=", name).execute();
      await trx.deleteFrom("domains").where("domain_name", "=", name).execute();
    });
  }

  /** GetDomain's Stats: the sum of every registered source; zeros when none is registered. */
  async stats(name: string): Promise<DomainStats> {
    const total: DomainStats = { ProfileCount: 0, MeteringProfileCount: 0, ObjectCount: 0, TotalSize: 0 };
    for (const source of this.#statsSources) {
      const part = await source(name);
      for (const k of Object.keys(total) as (keyof DomainStats)[]) total[k] += part[k] ?? 0;
    }
    return total;
  }
}

function jsonText(value: JsonObject | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function parseJson(text: string | null): JsonObject | undefined {
  return text === null ? undefined : (JSON.parse(text) as JsonObject);
}

function toDomain(row: Selectable<DomainsTable>): Domain {
  return {
    name: row.domain_name,
    defaultExpirationDays: row.default_expiration_days,
    defaultEncryptionKey: row.default_encryption_key ?? row.generated_encryption_key,
    encryptionKeyGenerated: row.default_encryption_key === null,
    deadLetterQueueUrl: row.dead_letter_queue_url ?? undefined,
    matching: parseJson(row.matching),
    ruleBasedMatching: parseJson(row.rule_based_matching),
    dataStore: parseJson(row.data_store),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
