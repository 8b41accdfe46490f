import type { Selectable } from "kysely";
import { kmsKeyArn } from "../core/arns.ts";
import type { Clock } from "../core/clock.ts";
import { notFound, ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import { CompiledOnce } from "../db/compiled-once.ts";
import type { Json, JsonColumn } from "../db/json-column.ts";
import type { Queryable } from "../db/queryable.ts";
import type { DomainsTable } from "../db/schema/domains.ts";
import { dataStoreColumn, domainMatchingColumn, ruleBasedMatchingColumn } from "./domain-settings-columns.ts";

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

export interface DomainStoreOptions {
  /** Region and account of generated key ARNs: `arn:aws:kms:{region}:{accountId}:key/{uuid}`. */
  region: string;
  accountId: string;
}

/** The domain's name when it exists (every read and write checks it first: compiled once). */
const domainNamed = new CompiledOnce(1, (q, [name]) =>
  q
    .selectFrom("domains")
    .select("domain_name")
    .where("domain_name", "=", name as string),
);

/** Domains: the containers of object types, profiles and integrations. Every method takes its executor. */
export class DomainStore {
  constructor(
    private readonly clock: Clock,
    private readonly options: DomainStoreOptions,
  ) {}

  /**
   * Creates a domain; ALREADY_EXISTS when the name is taken. `generatedKeyArn` is the KMS key made for
   * it (src/security/kms/domain-keys.ts); without one an ARN is made up (stores used without KMS).
   */
  async create(
    q: Queryable,
    name: string,
    settings: DomainSettings,
    generatedKeyArn?: string,
  ): Promise<Domain> {
    const now = this.clock.now();
    const row: Selectable<DomainsTable> = {
      domain_name: name,
      default_expiration_days: settings.defaultExpirationDays,
      default_encryption_key: settings.defaultEncryptionKey || null,
      generated_encryption_key: generatedKeyArn ?? kmsKeyArn(this.options, uuid()),
      dead_letter_queue_url: settings.deadLetterQueueUrl || null,
      matching: jsonText(domainMatchingColumn, settings.matching),
      rule_based_matching: jsonText(ruleBasedMatchingColumn, settings.ruleBasedMatching),
      data_store: jsonText(dataStoreColumn, settings.dataStore),
      created_at: now,
      updated_at: now,
    };
    const inserted = await q
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
  async get(q: Queryable, name: string): Promise<Domain | undefined> {
    const row = await q.selectFrom("domains").selectAll().where("domain_name", "=", name).executeTakeFirst();
    return row ? toDomain(row) : undefined;
  }

  /** The domain; RESOURCE_NOT_FOUND when it does not exist. */
  async require(q: Queryable, name: string): Promise<Domain> {
    const domain = await this.get(q, name);
    if (!domain) throw domainNotFound(name);
    return domain;
  }

  /** RESOURCE_NOT_FOUND unless the domain exists, as `require`; reads its name only (no settings parsed). */
  async requireExists(q: Queryable, name: string): Promise<void> {
    if (!(await domainNamed.first(q, [name]))) throw domainNotFound(name);
  }

  /** Changes the given settings only; `""` clears the encryption key (back to the generated one) or DLQ URL. */
  async update(q: Queryable, name: string, patch: Partial<DomainSettings>): Promise<Domain> {
    const set: Partial<Selectable<DomainsTable>> = { updated_at: this.clock.now() };
    if (patch.defaultExpirationDays !== undefined) set.default_expiration_days = patch.defaultExpirationDays;
    if (patch.defaultEncryptionKey !== undefined)
      set.default_encryption_key = patch.defaultEncryptionKey || null;
    if (patch.deadLetterQueueUrl !== undefined) set.dead_letter_queue_url = patch.deadLetterQueueUrl || null;
    if (patch.matching !== undefined) set.matching = jsonText(domainMatchingColumn, patch.matching);
    if (patch.ruleBasedMatching !== undefined)
      set.rule_based_matching = jsonText(ruleBasedMatchingColumn, patch.ruleBasedMatching);
    if (patch.dataStore !== undefined) set.data_store = jsonText(dataStoreColumn, patch.dataStore);
    const updated = await q
      .updateTable("domains")
      .set(set)
      .where("domain_name", "=", name)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      throw domainNotFound(name);
    }
    return this.require(q, name);
  }

  /** One page of domains ordered by name, starting after `after`; `more` says whether another page exists. */
  async list(
    q: Queryable,
    page: {
      after?: string | undefined;
      limit: number;
    },
  ): Promise<{ items: Domain[]; more: boolean }> {
    let query = q
      .selectFrom("domains")
      .selectAll()
      .orderBy("domain_name")
      .limit(page.limit + 1);
    if (page.after !== undefined) query = query.where("domain_name", ">", page.after);
    const rows = await query.execute();
    return { items: rows.slice(0, page.limit).map(toDomain), more: rows.length > page.limit };
  }

  /** Deletes the domain's own row (what it holds goes first, through each resource's deletion path). */
  async delete(q: Queryable, name: string): Promise<void> {
    await q.deleteFrom("domains").where("domain_name", "=", name).execute();
  }
}

function jsonText<C extends string>(
  codec: JsonColumn<JsonObject, C>,
  value: JsonObject | undefined,
): Json<C> | null {
  return value === undefined ? null : codec.stringify(value);
}

function parseJson<C extends string>(
  codec: JsonColumn<JsonObject, C>,
  text: Json<C> | null,
): JsonObject | undefined {
  return text === null ? undefined : codec.parse(text);
}

function toDomain(row: Selectable<DomainsTable>): Domain {
  return {
    name: row.domain_name,
    defaultExpirationDays: row.default_expiration_days,
    defaultEncryptionKey: row.default_encryption_key ?? row.generated_encryption_key,
    encryptionKeyGenerated: row.default_encryption_key === null,
    deadLetterQueueUrl: row.dead_letter_queue_url ?? undefined,
    matching: parseJson(domainMatchingColumn, row.matching),
    ruleBasedMatching: parseJson(ruleBasedMatchingColumn, row.rule_based_matching),
    dataStore: parseJson(dataStoreColumn, row.data_store),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** RESOURCE_NOT_FOUND for a domain that does not exist. */
function domainNotFound(name: string) {
  return notFound(`Domain ${name} does not exist`, { member: "DomainName" });
}
