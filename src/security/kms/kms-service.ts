import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { parsePolicyDocument } from "../../iam/policy-document.ts";
import { blobKeyId, type EncryptionContext, openBlob, sealBlob } from "./ciphertext-blob.ts";
import type { GrantConstraints, KmsGrant, KmsGrantStore } from "./kms-grant-store.ts";
import type { KmsAlias, KmsKey, KmsKeyStore } from "./kms-key-store.ts";

const DAY = 86_400_000;

/** Where tags of new keys go (the TagService, structurally: security does not import services). */
export interface KmsTagPort {
  tagIn(q: Queryable, arn: string, tags: Record<string, string>): Promise<unknown>;
  clearIn(q: Queryable, arn: string): Promise<unknown>;
}

/** A page of a list operation: its items and the marker of the next page, if any. */
export interface Page<T> {
  items: T[];
  nextMarker: string | undefined;
}

/** The default key policy AWS gives a key created without one: the account root may do everything. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });
}

/**
 * KMS: customer managed symmetric keys (AES-256-GCM), aliases, key policies, grants, and the
 * cryptographic operations. Each public method is one wire operation in one transaction; `…In`
 * methods run in the caller's. A key scheduled for deletion is deleted at its deletion date, at the
 * first KMS call after it (`deleteDueIn`).
 */
export class KmsService {
  constructor(
    private readonly db: Queryable,
    readonly keys: KmsKeyStore,
    private readonly grants: KmsGrantStore,
    private readonly tags: KmsTagPort,
    private readonly clock: Clock,
  ) {}

  private tx<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (q) => {
      await this.deleteDueIn(q, this.clock.now());
      return work(q);
    });
  }

  /** Deletes the keys whose deletion date is at or before `now`; returns their ARNs. */
  async deleteDueIn(q: Queryable, now: number): Promise<string[]> {
    const arns = await this.keys.deleteDue(q, now);
    for (const arn of arns) await this.tags.clearIn(q, arn);
    return arns;
  }

  /** Deletes the keys due at `now` (tests pass a future `now`: the pending window elapsed). */
  deleteDue(now: number): Promise<string[]> {
    return this.db.transaction().execute((q) => this.deleteDueIn(q, now));
  }

  createKey(o: {
    description?: string | undefined;
    policy?: string | undefined;
    keyUsage?: string | undefined;
    tags?: Record<string, string> | undefined;
  }): Promise<KmsKey> {
    const reserved = Object.keys(o.tags ?? {}).find((k) => k.toLowerCase().startsWith("aws:"));
    if (reserved !== undefined) {
      // AWS reserves the prefix for the tags its services put on what they create (a domain's generated key).
      throw new ProfileflowError(
        "KMS_TAG",
        `Tag key ${reserved} is reserved: tag keys beginning with aws: are for AWS use.`,
        { member: "Tags" },
      );
    }
    return this.tx((q) => this.createKeyIn(q, o));
  }

  /** CreateKey in the caller's transaction (a domain's key is created with its domain). */
  async createKeyIn(
    q: Queryable,
    o: {
      description?: string | undefined;
      policy?: string | undefined;
      keyUsage?: string | undefined;
      tags?: Record<string, string> | undefined;
    },
  ): Promise<KmsKey> {
    const policy = o.policy ?? defaultKeyPolicy(this.keys.account);
    parsePolicyDocument(policy, "resource");
    const key = await this.keys.create(q, {
      description: o.description ?? "",
      keyUsage: o.keyUsage ?? "ENCRYPT_DECRYPT",
      policy,
    });
    if (o.tags && Object.keys(o.tags).length > 0) await this.tags.tagIn(q, key.arn, o.tags);
    return key;
  }

  describeKey(id: string): Promise<KmsKey> {
    return this.tx((q) => this.keys.resolve(q, id));
  }

  /** The key `id` names, in the caller's transaction (NotFoundException when none). */
  describeKeyIn(q: Queryable, id: string): Promise<KmsKey> {
    return this.keys.resolve(q, id);
  }

  listKeys(limit: number, marker?: string): Promise<Page<KmsKey>> {
    return this.tx(async (q) => page(await this.keys.list(q, limit, marker), limit, (k) => k.keyId));
  }

  enableKey(id: string): Promise<void> {
    return this.tx(async (q) => {
      const key = await this.notPendingDeletion(q, id);
      await this.keys.setState(q, key.keyId, "Enabled");
    });
  }

  disableKey(id: string): Promise<void> {
    return this.tx(async (q) => {
      const key = await this.notPendingDeletion(q, id);
      await this.keys.setState(q, key.keyId, "Disabled");
    });
  }

  scheduleKeyDeletion(id: string, windowDays: number): Promise<KmsKey> {
    return this.tx((q) => this.scheduleKeyDeletionIn(q, id, windowDays));
  }

  /** ScheduleKeyDeletion in the caller's transaction (DeleteDomain schedules the key generated for it). */
  async scheduleKeyDeletionIn(q: Queryable, id: string, windowDays: number): Promise<KmsKey> {
    const key = await this.notPendingDeletion(q, id);
    const date = this.clock.now() + windowDays * DAY;
    await this.keys.setState(q, key.keyId, "PendingDeletion", { date, windowDays });
    return { ...key, state: "PendingDeletion" as const, deletionDate: date, pendingWindowDays: windowDays };
  }

  /** CancelKeyDeletion: the key is Disabled again (as in AWS). */
  cancelKeyDeletion(id: string): Promise<KmsKey> {
    return this.tx(async (q) => {
      const key = await this.keys.resolve(q, id);
      if (key.state !== "PendingDeletion") throw invalidState(key, "is not pending deletion");
      await this.keys.setState(q, key.keyId, "Disabled");
      return { ...key, state: "Disabled" as const, deletionDate: undefined, pendingWindowDays: undefined };
    });
  }

  getKeyPolicy(id: string): Promise<string> {
    return this.tx(async (q) => (await this.keys.resolve(q, id)).policy);
  }

  putKeyPolicy(id: string, policy: string): Promise<void> {
    return this.tx(async (q) => {
      const key = await this.notPendingDeletion(q, id);
      parsePolicyDocument(policy, "resource");
      await this.keys.setPolicy(q, key.keyId, policy);
    });
  }

  /** CreateAlias (create) and UpdateAlias (update): the target must be a key not pending deletion. */
  putAlias(aliasName: string, targetKeyId: string, mode: "create" | "update"): Promise<void> {
    return this.tx(async (q) => {
      const existing = await this.keys.alias(q, aliasName);
      if (mode === "create" && existing) {
        throw new ProfileflowError(
          "ALREADY_EXISTS",
          `An alias with the name ${this.keys.arnPrefix}${aliasName} already exists`,
        );
      }
      if (mode === "update" && !existing) throw notFoundAlias(this.keys.arnPrefix, aliasName);
      if (targetKeyId.startsWith("alias/") || targetKeyId.includes(":alias/")) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "TargetKeyId must be a key id or key ARN, not an alias.",
        );
      }
      const key = await this.notPendingDeletion(q, targetKeyId);
      await this.keys.putAlias(q, aliasName, key.keyId, existing !== undefined);
    });
  }

  deleteAlias(aliasName: string): Promise<void> {
    return this.tx(async (q) => {
      if (!(await this.keys.alias(q, aliasName))) throw notFoundAlias(this.keys.arnPrefix, aliasName);
      await this.keys.deleteAlias(q, aliasName);
    });
  }

  listAliases(o: {
    keyId?: string | undefined;
    limit: number;
    marker?: string | undefined;
  }): Promise<Page<KmsAlias>> {
    return this.tx(async (q) => {
      const keyId = o.keyId === undefined ? undefined : (await this.keys.resolve(q, o.keyId)).keyId;
      const rows = await this.keys.aliases(q, {
        limit: o.limit,
        ...(keyId ? { keyId } : {}),
        ...(o.marker ? { marker: o.marker } : {}),
      });
      return page(rows, o.limit, (a) => a.aliasName);
    });
  }

  createGrant(
    id: string,
    o: {
      granteePrincipal: string;
      retiringPrincipal?: string | undefined;
      operations: string[];
      constraints?: GrantConstraints | undefined;
      name?: string | undefined;
    },
  ): Promise<KmsGrant> {
    return this.tx(async (q) => {
      const key = await this.notPendingDeletion(q, id);
      return this.grants.create(q, {
        keyId: key.keyId,
        name: o.name,
        granteePrincipal: o.granteePrincipal,
        retiringPrincipal: o.retiringPrincipal,
        operations: o.operations,
        constraints: o.constraints,
        issuingAccount: `arn:aws:iam::${this.keys.account}:root`,
      });
    });
  }

  listGrants(
    id: string,
    o: {
      limit: number;
      marker?: string | undefined;
      grantId?: string | undefined;
      granteePrincipal?: string | undefined;
    },
  ): Promise<Page<KmsGrant & { keyArn: string }>> {
    return this.tx(async (q) => {
      const key = await this.keys.resolve(q, id);
      const rows = await this.grants.list(q, key.keyId, {
        limit: o.limit,
        ...(o.marker ? { marker: o.marker } : {}),
        ...(o.grantId ? { grantId: o.grantId } : {}),
        ...(o.granteePrincipal ? { granteePrincipal: o.granteePrincipal } : {}),
      });
      return page(
        rows.map((g) => ({ ...g, keyArn: key.arn })),
        o.limit,
        (g) => g.grantId,
      );
    });
  }

  /** RetireGrant by its token, or by key and grant id. */
  retireGrant(o: {
    grantToken?: string | undefined;
    keyId?: string | undefined;
    grantId?: string | undefined;
  }): Promise<void> {
    return this.tx(async (q) => {
      if (o.grantToken !== undefined) {
        const grant = await this.grants.byToken(q, o.grantToken);
        if (!grant) throw new ProfileflowError("KMS_INVALID_GRANT_TOKEN", "The grant token is not valid.");
        await this.grants.delete(q, grant.grantId);
        return;
      }
      await this.grants.delete(q, (await this.grantOf(q, o.keyId!, o.grantId!)).grantId);
    });
  }

  revokeGrant(keyId: string, grantId: string): Promise<void> {
    return this.tx(async (q) => this.grants.delete(q, (await this.grantOf(q, keyId, grantId)).grantId));
  }

  private async grantOf(q: Queryable, keyId: string, grantId: string): Promise<KmsGrant> {
    const key = await this.keys.resolve(q, keyId);
    const grant = await this.grants.byId(q, key.keyId, grantId);
    if (!grant)
      throw new ProfileflowError("KMS_INVALID_GRANT_ID", `Grant ID ${grantId} not found for key ${key.arn}`);
    return grant;
  }

  encrypt(
    id: string,
    plaintext: Buffer,
    context: EncryptionContext = {},
  ): Promise<{ blob: Buffer; key: KmsKey }> {
    return this.tx((q) => this.encryptIn(q, id, plaintext, context));
  }

  /** Encrypt in the caller's transaction. */
  async encryptIn(q: Queryable, id: string, plaintext: Buffer, context: EncryptionContext = {}) {
    const key = await this.usableIn(q, id);
    const material = await this.keys.material(q, key.keyId);
    return { blob: sealBlob(key.keyId, material, plaintext, context), key };
  }

  decrypt(
    blob: Buffer,
    context: EncryptionContext = {},
    expectedKeyId?: string,
  ): Promise<{ plaintext: Buffer; key: KmsKey }> {
    return this.tx((q) => this.decryptIn(q, blob, context, expectedKeyId));
  }

  /** Decrypt in the caller's transaction: the blob's key must exist, be enabled, and be `expectedKeyId`'s when given. */
  async decryptIn(q: Queryable, blob: Buffer, context: EncryptionContext = {}, expectedKeyId?: string) {
    const keyId = blobKeyId(blob);
    if (expectedKeyId !== undefined && (await this.keys.keyIdOf(q, expectedKeyId)) !== keyId) {
      throw new ProfileflowError(
        "KMS_INCORRECT_KEY",
        "The key ID in the request does not identify a KMS key that can perform this operation.",
      );
    }
    const key = await this.usableIn(q, keyId);
    const material = await this.keys.material(q, key.keyId);
    return { plaintext: openBlob(blob, material, context), key };
  }

  generateDataKey(id: string, bytes: number, context: EncryptionContext = {}) {
    return this.tx((q) => this.generateDataKeyIn(q, id, bytes, context));
  }

  /** GenerateDataKey in the caller's transaction: fresh random bytes, and the same encrypted under the key. */
  async generateDataKeyIn(q: Queryable, id: string, bytes: number, context: EncryptionContext = {}) {
    const plaintext = randomBytes(bytes);
    const { blob, key } = await this.encryptIn(q, id, plaintext, context);
    return { plaintext, blob, key };
  }

  /**
   * A key that cryptographic operations may use, read through `q`: DisabledException,
   * KMSInvalidStateException otherwise (NotFoundException for none) — what decryptIn checks first.
   */
  async usableIn(q: Queryable, id: string): Promise<KmsKey> {
    const key = await this.keys.resolve(q, id);
    refuseUnusable(key);
    return key;
  }

  private async notPendingDeletion(q: Queryable, id: string): Promise<KmsKey> {
    const key = await this.keys.resolve(q, id);
    if (key.state === "PendingDeletion") throw invalidState(key, "is pending deletion");
    return key;
  }
}

/** Throws what KMS answers a cryptographic operation under a key in this state (disabled, pending deletion). */
export function refuseUnusable(key: Pick<KmsKey, "arn" | "state">): void {
  if (key.state === "Disabled") {
    throw new ProfileflowError("KMS_DISABLED", `${key.arn} is disabled.`, { keyArn: key.arn });
  }
  if (key.state === "PendingDeletion") throw invalidState(key, "is pending deletion");
}

function invalidState(key: Pick<KmsKey, "arn" | "state">, what: string): ProfileflowError {
  return new ProfileflowError("KMS_INVALID_STATE", `${key.arn} ${what}.`, {
    keyArn: key.arn,
    state: key.state,
  });
}

function notFoundAlias(prefix: string, aliasName: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `Alias ${prefix}${aliasName} is not found.`);
}

function page<T>(rows: T[], limit: number, markerOf: (t: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextMarker: rows.length > limit ? markerOf(items.at(-1)!) : undefined };
}
