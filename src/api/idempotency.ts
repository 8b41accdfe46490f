import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";

export interface IdempotencyOptions {
  /**
   * Key of the HMAC that fingerprints requests (derived from the master key): a request may carry
   * vendor credentials, and a plain hash of it would let a copy of the database test guesses offline.
   */
  key: Buffer;
  /** How long a token is remembered, in milliseconds (AppFlow: 8 hours). */
  ttlMs: number;
  /** Expired records deleted each time a token is recorded: bounded work on the request path. */
  sweepLimit?: number;
}

/**
 * `clientToken` idempotency (AppFlow keeps a token for 8 hours): the same token with the same request
 * returns the first response; the same token with a different request is a conflict. A record older
 * than the TTL is ignored, and deleted by a later recording (at most `sweepLimit` each time).
 */
export class Idempotency {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #sweepLimit: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    options: IdempotencyOptions,
  ) {
    if (options.key.length < 32) throw new Error("Idempotency needs a key of at least 32 bytes");
    this.#key = options.key;
    this.#ttlMs = options.ttlMs;
    this.#sweepLimit = options.sweepLimit ?? 100;
  }

  /** Runs `fn` once per (operation, token); replays its response for repeats within the TTL. */
  async run<T>(
    operation: string,
    token: string | undefined,
    request: unknown,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (!token) return fn();
    const key = `${operation}:${token}`;
    const mac = this.fingerprint(key, request);
    const now = this.clock.now();
    const prior = await this.db
      .selectFrom("idempotency_tokens")
      .selectAll()
      .where("token_key", "=", key)
      .executeTakeFirst();
    if (prior && now - prior.created_at < this.#ttlMs) {
      if (!sameMac(prior.request_mac, mac)) {
        throw new ProfileflowError(
          "CONFLICT",
          `clientToken ${token} was already used with a different ${operation} request in the last ${describeTtl(this.#ttlMs)}.`,
        );
      }
      return JSON.parse(prior.response) as T;
    }
    const result = await fn();
    const response = JSON.stringify(result);
    await this.db
      .insertInto("idempotency_tokens")
      .values({ token_key: key, request_mac: mac, response, created_at: now })
      .onConflict((oc) => oc.column("token_key").doUpdateSet({ request_mac: mac, response, created_at: now }))
      .execute();
    await this.sweep(now);
    return result;
  }

  /** The stored fingerprint of `request` under the token key (exposed for tests). */
  fingerprint(tokenKey: string, request: unknown): string {
    return createHmac("sha256", this.#key)
      .update(tokenKey)
      .update("\n")
      .update(JSON.stringify(request) ?? "")
      .digest("hex");
  }

  /** Deletes up to `sweepLimit` records older than the TTL; returns how many went. */
  async sweep(now = this.clock.now()): Promise<number> {
    const cutoff = now - this.#ttlMs;
    const result = await this.db
      .deleteFrom("idempotency_tokens")
      .where("token_key", "in", (qb) =>
        qb
          .selectFrom("idempotency_tokens")
          .select("token_key")
          .where("created_at", "<=", cutoff)
          .limit(this.#sweepLimit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

function describeTtl(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? "" : "s"}`;
  if (minutes >= 1) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `${Math.round(ms / 1000)} seconds`;
}
