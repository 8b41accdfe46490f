import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import { jsonColumn } from "../db/json-column.ts";
import type { Queryable } from "../db/queryable.ts";

/**
 * idempotency_tokens.response: the JSON of an operation's first response. Any JSON value: the record is
 * keyed by operation, so only that operation's handler wrote it and reads it back.
 */
const responseColumn = jsonColumn("idempotency_tokens", "response", z.unknown());

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
    private readonly clock: Clock,
    options: IdempotencyOptions,
  ) {
    if (options.key.length < 32) throw new Error("Idempotency needs a key of at least 32 bytes");
    this.#key = options.key;
    this.#ttlMs = options.ttlMs;
    this.#sweepLimit = options.sweepLimit ?? 100;
  }

  /**
   * Runs `fn` once per (operation, token) inside the caller's transaction and replays its response for
   * repeats within the TTL: the lookup, the operation (`fn`, which must use `tx` only) and the record
   * commit together, so a failed operation leaves no record and a recorded token
   * always has its effect.
   */
  async runIn<T>(
    tx: Queryable,
    operation: string,
    token: string | undefined,
    request: unknown,
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    if (!token) return fn(tx);
    const replay = await this.#replay<T>(tx, operation, token, request);
    if (replay) return replay.response;
    const result = await fn(tx);
    await this.#record(tx, operation, token, request, result);
    return result;
  }

  /**
   * The recorded response of a repeat within the TTL, read through `q`; CONFLICT when the token came
   * with another request. For an operation with outside work (a connection test) to skip on a repeat.
   */
  async replayIn<T>(
    q: Queryable,
    operation: string,
    token: string | undefined,
    request: unknown,
  ): Promise<{ response: T } | undefined> {
    return token ? this.#replay<T>(q, operation, token, request) : undefined;
  }

  /** The stored response of a repeat within the TTL; CONFLICT when the token came with another request. */
  async #replay<T>(
    q: Queryable,
    operation: string,
    token: string,
    request: unknown,
  ): Promise<{ response: T } | undefined> {
    const key = `${operation}:${token}`;
    const prior = await q
      .selectFrom("idempotency_tokens")
      .selectAll()
      .where("token_key", "=", key)
      .executeTakeFirst();
    if (!prior || this.clock.now() - prior.created_at >= this.#ttlMs) return undefined;
    if (!sameMac(prior.request_mac, this.fingerprint(key, request))) {
      throw new ProfileflowError(
        "CONFLICT",
        `clientToken ${token} was already used with a different ${operation} request in the last ${describeTtl(this.#ttlMs)}.`,
      );
    }
    // The response `fn` of this operation returned when the token was recorded (same operation key).
    return { response: responseColumn.parse(prior.response) as T };
  }

  async #record(
    q: Queryable,
    operation: string,
    token: string,
    request: unknown,
    result: unknown,
  ): Promise<void> {
    const key = `${operation}:${token}`;
    const mac = this.fingerprint(key, request);
    const now = this.clock.now();
    const response = responseColumn.stringify(result);
    await q
      .insertInto("idempotency_tokens")
      .values({ token_key: key, request_mac: mac, response, created_at: now })
      .onConflict((oc) => oc.column("token_key").doUpdateSet({ request_mac: mac, response, created_at: now }))
      .execute();
    await this.sweep(q, now);
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
  async sweep(q: Queryable, now: number): Promise<number> {
    const cutoff = now - this.#ttlMs;
    const result = await q
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
