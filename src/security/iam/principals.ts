import { timingSafeEqual } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { type PolicyDocument, parsePolicyDocument } from "../../iam/policy-document.ts";
import type { NamedPolicy } from "../../iam/policy-evaluator.ts";
import type { AccessKeyStore } from "../access-key-store.ts";
import type { SecretLookup } from "../sigv4-verifier.ts";
import type { IamStore } from "./iam-store.ts";
import type { PolicyStore } from "./policy-store.ts";
import { type SessionStore, tokenHash } from "./session-store.ts";

/** How long a user or policy set read from the database is trusted before it is read again. */
const CACHE_TTL_MS = 5_000;

/** Who signed a request, as IAM sees it. */
export type Principal =
  | { kind: "root"; arn: string; userId: string; account: string; temporary: boolean }
  | { kind: "user"; arn: string; userId: string; account: string; temporary: boolean; userName: string }
  | {
      kind: "role";
      arn: string;
      userId: string;
      account: string;
      temporary: true;
      roleName: string;
      roleArn: string;
      sessionName: string;
    };

/**
 * Resolves access keys to their secrets (the verifier's lookup: inactive keys and temporary credentials
 * without their session token are unknown, expired ones are ExpiredToken) and to principals with the
 * policies that apply to them.
 */
export class Principals implements SecretLookup {
  readonly #documents = new Map<string, PolicyDocument>();
  /**
   * Users and policy sets read from the database, trusted for CACHE_TTL_MS (another process may change
   * them: IAM's own changes are eventually consistent too) or until this process changes IAM
   * (`iamChanged`, called by the authorizer for every mutating IAM call).
   */
  readonly #cache = new Map<string, { value: unknown; readAt: number; generation: number }>();
  #generation = 0;

  constructor(
    private readonly db: Queryable,
    private readonly accessKeys: AccessKeyStore,
    private readonly iam: IamStore,
    private readonly policies: PolicyStore,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  async secretFor(accessKeyId: string, sessionToken?: string): Promise<string | undefined> {
    if (accessKeyId.startsWith("ASIA")) {
      const s = await this.sessions.get(this.db, accessKeyId);
      if (!s || sessionToken === undefined) return undefined;
      const given = Buffer.from(tokenHash(sessionToken), "hex");
      if (!timingSafeEqual(given, Buffer.from(s.tokenHash, "hex"))) return undefined;
      if (s.expiresAt <= this.clock.now()) {
        throw new ProfileflowError("EXPIRED_TOKEN", "The security token included in the request is expired");
      }
      return s.secretAccessKey;
    }
    const key = await this.accessKeys.get(accessKeyId);
    return key && key.status !== "Inactive" ? key.secretAccessKey : undefined;
  }

  /** The principal behind a key the verifier accepted. */
  async principalOf(accessKeyId: string): Promise<Principal> {
    const account = this.iam.arns.accountId;
    const root = (temporary: boolean): Principal => ({
      kind: "root",
      arn: this.iam.arns.root(),
      userId: account,
      account,
      temporary,
    });
    if (accessKeyId.startsWith("ASIA")) {
      const s = await this.sessions.get(this.db, accessKeyId);
      if (!s) throw unknownKey();
      if (s.principalType === "root") return root(true);
      // A user or role deleted and created again under the same name is another principal (AWS: a new
      // unique id), so the old one's sessions stop working.
      if (s.principalType === "user") return this.userPrincipal(s.principalKey, true, s.createdAt);
      const role = await this.iam.findRole(this.db, s.principalKey);
      if (!role || role.createdAt > s.createdAt) throw unknownKey();
      const sessionName = s.sessionName ?? "session";
      return {
        kind: "role",
        arn: this.iam.arns.assumedRole(role.roleName, sessionName),
        userId: `${role.roleId}:${sessionName}`,
        account,
        temporary: true,
        roleName: role.roleName,
        roleArn: role.arn,
        sessionName,
      };
    }
    const key = await this.accessKeys.get(accessKeyId);
    if (!key) throw unknownKey();
    // Keys from before IAM (no user) are the account's, as they always were.
    return key.userName === undefined ? root(false) : this.userPrincipal(key.userName, false);
  }

  /** Forgets every cached user and policy set: IAM is being changed by this process. */
  iamChanged(): void {
    this.#generation++;
    this.#cache.clear();
  }

  /** `read()` through the cache when `q` is the database itself (a transaction may see its own writes). */
  async #cached<T>(q: Queryable, key: string, read: () => Promise<T>): Promise<T> {
    if (q !== this.db) return read();
    const now = this.clock.now();
    const hit = this.#cache.get(key);
    if (hit && hit.generation === this.#generation && now - hit.readAt < CACHE_TTL_MS && now >= hit.readAt) {
      return hit.value as T;
    }
    const generation = this.#generation;
    const value = await read();
    if (generation === this.#generation) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(key, { value, readAt: now, generation });
    }
    return value;
  }

  /** The stored ARN (with its path) of the user or role named `name`, or undefined when there is none. */
  async entityArn(q: Queryable, type: "user" | "role", name: string): Promise<string | undefined> {
    const found = type === "user" ? await this.iam.findUser(q, name) : await this.iam.findRole(q, name);
    return found?.arn;
  }

  /** The identity-based policies of a user or role principal (managed, then inline), parsed once per text. */
  async policiesOf(q: Queryable, p: Principal): Promise<NamedPolicy[]> {
    if (p.kind === "root") return [];
    const type = p.kind;
    const key = (p.kind === "user" ? p.userName : p.roleName).toLowerCase();
    return this.#cached(q, `policies:${type}:${key}`, async () => {
      const managed = await this.policies.attached(q, type, key);
      const inline = await this.policies.inline(q, type, key);
      return [
        ...managed.map((m) => ({ name: m.arn, document: this.parsed(m.document) })),
        ...inline.map((i) => ({ name: i.policyName, document: this.parsed(i.document) })),
      ];
    });
  }

  /** A stored document, parsed (stored documents were validated when written). */
  parsed(text: string, kind: "identity" | "trust" = "identity"): PolicyDocument {
    const cacheKey = `${kind}:${text}`;
    let doc = this.#documents.get(cacheKey);
    if (!doc) {
      doc = parsePolicyDocument(text, kind);
      if (this.#documents.size > 1000) this.#documents.clear();
      this.#documents.set(cacheKey, doc);
    }
    return doc;
  }

  private async userPrincipal(userName: string, temporary: boolean, notAfter?: number): Promise<Principal> {
    const user = await this.#cached(this.db, `user:${userName.toLowerCase()}`, () =>
      this.iam.findUser(this.db, userName),
    );
    if (!user || (notAfter !== undefined && user.createdAt > notAfter)) throw unknownKey();
    return {
      kind: "user",
      arn: user.arn,
      userId: user.userId,
      account: this.iam.arns.accountId,
      temporary,
      userName: user.userName,
    };
  }
}

function unknownKey(): ProfileflowError {
  return new ProfileflowError(
    "UNRECOGNIZED_CLIENT",
    "The security token included in the request is invalid.",
  );
}
