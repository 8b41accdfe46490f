import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { SecretBox } from "../../core/secret-box.ts";
import type { Queryable } from "../../db/queryable.ts";
import { iamId, secretAccessKey } from "./iam-ids.ts";

/** Whose temporary credentials these are: a role's session (AssumeRole), or a user's or the root's (GetSessionToken). */
export interface SessionOwner {
  principalType: "role" | "user" | "root";
  /** The lower-cased role or user name; the account id for the root. */
  principalKey: string;
  sessionName?: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

export interface StoredSession extends SessionOwner {
  accessKeyId: string;
  secretAccessKey: string;
  tokenHash: string;
  expiresAt: number;
  /** When the session was issued: a user or role created after it (deleted and re-created) is not its owner. */
  createdAt: number;
}

/** Temporary credentials: an `ASIA…` key, a sealed secret, and the SHA-256 of the session token. */
export class SessionStore {
  constructor(
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  async issue(q: Queryable, owner: SessionOwner, durationSeconds: number): Promise<TemporaryCredentials> {
    const now = this.clock.now();
    const creds: TemporaryCredentials = {
      accessKeyId: iamId("ASIA"),
      secretAccessKey: secretAccessKey(),
      sessionToken: randomBytes(96).toString("base64"),
      // AWS states expirations to the second.
      expiration: Math.floor(now / 1000) * 1000 + durationSeconds * 1000,
    };
    // Expired sessions of anyone are swept as new ones are issued.
    await q.deleteFrom("iam_sessions").where("expires_at", "<", now).execute();
    await q
      .insertInto("iam_sessions")
      .values({
        access_key_id: creds.accessKeyId,
        secret_ciphertext: this.box.seal(creds.secretAccessKey),
        token_hash: tokenHash(creds.sessionToken),
        principal_type: owner.principalType,
        principal_key: owner.principalKey,
        session_name: owner.sessionName ?? null,
        expires_at: creds.expiration,
        created_at: now,
      })
      .execute();
    return creds;
  }

  async get(q: Queryable, accessKeyId: string): Promise<StoredSession | undefined> {
    const row = await q
      .selectFrom("iam_sessions")
      .selectAll()
      .where("access_key_id", "=", accessKeyId)
      .executeTakeFirst();
    if (!row) return undefined;
    const s: StoredSession = {
      accessKeyId: row.access_key_id,
      secretAccessKey: this.box.open(row.secret_ciphertext),
      tokenHash: row.token_hash,
      principalType: row.principal_type as SessionOwner["principalType"],
      principalKey: row.principal_key,
      expiresAt: Number(row.expires_at),
      createdAt: Number(row.created_at),
    };
    if (row.session_name !== null) s.sessionName = row.session_name;
    return s;
  }
}

/** The hex SHA-256 of a session token (tokens are never stored). */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
