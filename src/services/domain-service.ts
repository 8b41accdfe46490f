import type { ProfileArns } from "../core/arns.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Domain, DomainSettings, DomainStats, DomainStore } from "../profiles/domain-store.ts";
import { inDomainTransaction, lockDomainIn } from "../profiles/domain-transaction.ts";
import type { MatchingStatus } from "../profiles/matching/matching-state.ts";
import type { TagService } from "./tag-service.ts";

/** What domains need of rule-based matching (composed in src/compose/matching-jobs.ts). */
export interface DomainMatching {
  /** New RuleBasedMatching settings were stored: reset the state, enqueue the backfill, inside `tx`. */
  configuredIn(tx: Queryable, domainName: string): Promise<void>;
  /** RuleBasedMatching.Status. */
  statusIn(q: Queryable, domainName: string): Promise<MatchingStatus>;
}

/** A resource held by a domain, deleted with it through the resource's own deletion path. */
export interface DomainCascade {
  /** Deletes everything of this resource in the domain, inside the DeleteDomain transaction. */
  deleteForDomainIn(tx: Queryable, domainName: string): Promise<void>;
}

/** The domain's KMS key and data key (src/security/kms/domain-keys.ts). */
export interface DomainKeyPort {
  /** A new KMS key for a new domain; its ARN. */
  createForDomainIn(tx: Queryable, domainName: string): Promise<string>;
  /** VALIDATION_FAILED naming `member` unless `given` is an enabled KMS key of this server. */
  checkIn(q: Queryable, given: string, member: string): Promise<unknown>;
  /** The new domain's data key, generated under `keyArn` and stored wrapped. */
  createDataKeyIn(tx: Queryable, domainName: string, keyArn: string, now: number): Promise<void>;
  /** The domain's key changed: its data key re-wrapped under `keyArn`. */
  rewrapIn(tx: Queryable, domainName: string, keyArn: string): Promise<void>;
  /** The key DeleteDomain would schedule for deletion now (the one generated for it, used by nothing else). */
  generatedKeyToDeleteIn(q: Queryable, domainName: string): Promise<string | undefined>;
  /** The domain's data key; its generated key scheduled for deletion, if `mayDeleteKey` (when given) allows. */
  deleteForDomainIn(
    tx: Queryable,
    domainName: string,
    mayDeleteKey?: (keyArn: string) => boolean,
  ): Promise<void>;
}

/** Who asks for a change (UpdateDomain's caller), as the authorizer knows them. */
export interface DomainCaller {
  accessKeyId: string;
  requestId?: string | undefined;
}

/**
 * The caller's right to use KMS keys through Customer Profiles (kms:ViaService): a domain's data key
 * moves to another key only when the caller may decrypt under the old key and generate data keys under
 * the new one, as Customer Profiles asks KMS for it in AWS. The account root always may.
 */
export interface DomainKeyAccess {
  /** ACCESS_DENIED (AWS's sentence, naming the kms: action and key) unless the caller may. */
  authorizeRewrap(caller: DomainCaller, domainName: string, fromKey: string, toKey: string): Promise<void>;
  /** CreateDomain with a given key: ACCESS_DENIED unless the caller may generate data keys under it. */
  authorizeUse(caller: DomainCaller, domainName: string, key: string): Promise<void>;
  /**
   * DeleteDomain: whether the caller may have the key generated for the domain scheduled for deletion
   * (kms:ScheduleKeyDeletion through Customer Profiles); the decision is recorded either way.
   */
  mayScheduleKeyDeletion(caller: DomainCaller, domainName: string, key: string): Promise<boolean>;
}

/** What GetDomain's Stats are summed from. */
export interface DomainStatsSource {
  statsIn(q: Queryable, domainName: string): Promise<DomainStats>;
}

/** A domain with what the API shows beside it. */
export interface DomainView {
  domain: Domain;
  tags: Record<string, string>;
  /** RuleBasedMatching.Status (PENDING when matching is not configured). */
  matchingStatus: MatchingStatus;
}

/** A domain listed: the domain and its tags. */
export interface DomainListItem {
  domain: Domain;
  tags: Record<string, string>;
}

export interface DomainServiceDeps {
  db: Queryable;
  dialect: DialectName;
  domains: DomainStore;
  tags: TagService;
  arns: ProfileArns;
  matching: DomainMatching;
  /** Profiles (and their stats) of the domain. */
  profiles: DomainCascade & DomainStatsSource;
  objectTypes: DomainCascade;
  /**
   * What DeleteDomain removes first, in this order (integrations, then flows), each through that
   * resource's one deletion path; then the profiles, the object types, the tags and the domain.
   */
  cascade: readonly DomainCascade[];
  /** The domains' KMS keys and data keys; without it keys are made-up ARNs and data is stored as is. */
  keys?: DomainKeyPort;
  /** UpdateDomain's check that its caller may use the old and the new key (none: not checked). */
  keyAccess?: DomainKeyAccess;
}

/** CreateDomain, GetDomain, UpdateDomain, ListDomains, DeleteDomain: each one transaction. */
export class DomainService {
  constructor(private readonly d: DomainServiceDeps) {}

  /** Creates a domain with its tags; matching settings reset the matching state (ACTIVE: no profiles yet). */
  async create(
    name: string,
    settings: DomainSettings,
    tags: Record<string, string> | undefined,
    caller?: DomainCaller,
  ): Promise<DomainView> {
    // Before the transaction: the authorizer reads IAM and KMS through the pool (SQLite has one connection).
    if (caller && this.d.keyAccess && settings.defaultEncryptionKey) {
      await this.d.keyAccess.authorizeUse(caller, name, settings.defaultEncryptionKey);
    }
    return this.d.db.transaction().execute(async (tx) => {
      const keys = this.d.keys;
      const given = settings.defaultEncryptionKey;
      if (keys && given) await keys.checkIn(tx, given, "DefaultEncryptionKey");
      // A given key is the domain's own (clearing it later keeps it): no unused key is generated.
      const generated = keys && (given || (await keys.createForDomainIn(tx, name)));
      const domain = await this.d.domains.create(tx, name, settings, generated);
      await keys?.createDataKeyIn(tx, name, domain.defaultEncryptionKey, domain.createdAt);
      if (settings.ruleBasedMatching) await this.d.matching.configuredIn(tx, name);
      if (tags) await this.d.tags.tagIn(tx, this.d.arns.domain(name), tags);
      return this.#view(tx, domain);
    });
  }

  /** The domain with its tags, matching status and stats; RESOURCE_NOT_FOUND when it does not exist. */
  describe(name: string): Promise<DomainView & { stats: DomainStats }> {
    return this.d.db.transaction().execute(async (tx) => {
      const domain = await this.d.domains.require(tx, name);
      const view = await this.#view(tx, domain);
      return { ...view, stats: await this.d.profiles.statsIn(tx, name) };
    });
  }

  /** Changes the given settings (under the domain's lock: a matching reset must see every ingested profile). */
  async update(
    name: string,
    patch: Partial<DomainSettings>,
    tags: Record<string, string> | undefined,
    caller?: DomainCaller,
  ): Promise<DomainView> {
    // Before the transaction: the authorizer reads IAM and KMS through the pool (SQLite has one connection).
    if (caller && this.d.keyAccess && patch.defaultEncryptionKey) {
      const current = await this.d.domains.get(this.d.db, name);
      if (current && current.defaultEncryptionKey !== patch.defaultEncryptionKey) {
        await this.d.keyAccess.authorizeRewrap(
          caller,
          name,
          current.defaultEncryptionKey,
          patch.defaultEncryptionKey,
        );
      }
    }
    return inDomainTransaction(this.d.db, this.d.dialect, name, async (tx) => {
      const keys = this.d.keys;
      if (keys && patch.defaultEncryptionKey) {
        await this.d.domains.require(tx, name);
        await keys.checkIn(tx, patch.defaultEncryptionKey, "DefaultEncryptionKey");
      }
      const domain = await this.d.domains.update(tx, name, patch);
      if (keys && patch.defaultEncryptionKey !== undefined) {
        await keys.rewrapIn(tx, name, domain.defaultEncryptionKey);
      }
      if (patch.ruleBasedMatching) await this.d.matching.configuredIn(tx, name);
      if (tags) await this.d.tags.tagIn(tx, this.d.arns.domain(name), tags);
      return this.#view(tx, domain);
    });
  }

  /** One page of domains ordered by name, with their tags. */
  list(page: {
    after?: string | undefined;
    limit: number;
  }): Promise<{ items: DomainListItem[]; more: boolean }> {
    return this.d.db.transaction().execute(async (tx) => {
      const { items, more } = await this.d.domains.list(tx, page);
      const out: DomainListItem[] = [];
      for (const domain of items)
        out.push({ domain, tags: await this.d.tags.listIn(tx, this.d.arns.domain(domain.name)) });
      return { items: out, more };
    });
  }

  /**
   * Deletes the domain and everything it holds in one transaction under the domain's lock (no
   * ingestion interleaves): each held resource through its own deletion path, then the tags of the
   * domain and of everything under its ARN, then the domain. RESOURCE_NOT_FOUND when it does not exist.
   */
  async delete(name: string, caller?: DomainCaller): Promise<void> {
    // Before the transaction: the authorizer reads IAM and KMS through the pool (SQLite has one connection).
    // The key generated for the domain is scheduled for deletion only when the caller may do that
    // (kms:ScheduleKeyDeletion via Customer Profiles); refused, it stays and DeleteDomain goes on.
    let mayDeleteKey: ((keyArn: string) => boolean) | undefined;
    if (caller && this.d.keyAccess && this.d.keys) {
      const key = await this.d.keys.generatedKeyToDeleteIn(this.d.db, name);
      const allowed = key !== undefined && (await this.d.keyAccess.mayScheduleKeyDeletion(caller, name, key));
      mayDeleteKey = (keyArn) => allowed && keyArn === key;
    }
    return inDomainTransaction(this.d.db, this.d.dialect, name, (tx) =>
      this.deleteIn(tx, name, mayDeleteKey),
    );
  }

  /**
   * DeleteDomain inside a caller's transaction (which must hold the domain's lock); `mayDeleteKey`: see
   * DomainKeyPort.deleteForDomainIn.
   */
  async deleteIn(tx: Queryable, name: string, mayDeleteKey?: (keyArn: string) => boolean): Promise<void> {
    await this.d.domains.require(tx, name);
    for (const resource of this.d.cascade) await resource.deleteForDomainIn(tx, name);
    await this.d.profiles.deleteForDomainIn(tx, name);
    await this.d.objectTypes.deleteForDomainIn(tx, name);
    await this.d.tags.clearTreeIn(tx, this.d.arns.domain(name));
    await this.d.keys?.deleteForDomainIn(tx, name, mayDeleteKey);
    await this.d.domains.delete(tx, name);
  }

  /** The domain, or undefined (each call its own read; satisfies DomainLookup). */
  get(name: string): Promise<Domain | undefined> {
    return this.d.domains.get(this.d.db, name);
  }

  /** The domain; RESOURCE_NOT_FOUND when it does not exist. */
  require(name: string): Promise<Domain> {
    return this.d.domains.require(this.d.db, name);
  }

  /**
   * The domain inside a caller's transaction that will add something to it (an integration and its
   * flow), under the domain's lock: it serializes with DeleteDomain, so nothing is added to a domain
   * whose cascade has already run (PostgreSQL; SQLite's one writer serializes them anyway).
   */
  async lockIn(tx: Queryable, name: string): Promise<Domain> {
    await lockDomainIn(tx, this.d.dialect, name);
    return this.d.domains.require(tx, name);
  }

  /** The domain inside a caller's transaction; RESOURCE_NOT_FOUND when it does not exist. */
  requireIn(q: Queryable, name: string): Promise<Domain> {
    return this.d.domains.require(q, name);
  }

  async #view(q: Queryable, domain: Domain): Promise<DomainView> {
    return {
      domain,
      tags: await this.d.tags.listIn(q, this.d.arns.domain(domain.name)),
      matchingStatus: domain.ruleBasedMatching ? await this.d.matching.statusIn(q, domain.name) : "PENDING",
    };
  }
}
