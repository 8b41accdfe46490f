import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { SecretStore, StoredSecret } from "../security/secret-store.ts";
import type { TagService } from "./tag-service.ts";

export interface SecretServiceDeps {
  readonly db: Queryable;
  readonly secrets: SecretStore;
  readonly tags: Pick<TagService, "listIn" | "tagIn" | "clearIn">;
}

/** A secret with its tags (DescribeSecret). */
export interface SecretDetails {
  readonly secret: StoredSecret;
  readonly tags: Record<string, string>;
}

/** Secrets Manager secrets (Salesforce's `clientCredentialsArn`): each method one transaction. */
export class SecretService {
  constructor(private readonly d: SecretServiceDeps) {}

  /** CreateSecret: the secret and its tags together. */
  create(o: {
    name: string;
    secretString: string;
    description?: string | undefined;
    kmsKeyId?: string | undefined;
    tags?: Record<string, string> | undefined;
  }): Promise<StoredSecret> {
    return this.d.db.transaction().execute(async (tx) => {
      const secret = await this.d.secrets.create(tx, o);
      if (o.tags && Object.keys(o.tags).length > 0) await this.d.tags.tagIn(tx, secret.arn, o.tags);
      return secret;
    });
  }

  /** GetSecretValue: the current value of a live secret (RESOURCE_NOT_FOUND, or refused while deleted). */
  value(id: string): Promise<{ secret: StoredSecret; secretString: string }> {
    return this.d.secrets.value(this.d.db, id);
  }

  /** PutSecretValue: a new current version. */
  put(id: string, secretString: string): Promise<StoredSecret> {
    return this.d.db.transaction().execute((tx) => this.d.secrets.put(tx, id, secretString));
  }

  /** DescribeSecret: also while scheduled for deletion. */
  describe(id: string): Promise<SecretDetails> {
    return this.d.db.transaction().execute(async (tx) => {
      const secret = await this.d.secrets.find(tx, id);
      if (!secret) throw notFound();
      return { secret, tags: await this.d.tags.listIn(tx, secret.arn) };
    });
  }

  /** DeleteSecret: now (with its tags) when forced, else marked for deletion after the recovery window. */
  delete(
    id: string,
    o: { force: boolean; recoveryWindowDays: number },
  ): Promise<{ secret: StoredSecret; deletionDate: number }> {
    return this.d.db.transaction().execute(async (tx) => {
      const deleted = await this.d.secrets.delete(tx, id, o);
      if (o.force) await this.d.tags.clearIn(tx, deleted.secret.arn);
      return deleted;
    });
  }
}

function notFound(): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", "Secrets Manager can't find the specified secret.");
}
