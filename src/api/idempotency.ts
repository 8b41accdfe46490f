import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";

const TTL_MS = 8 * 60 * 60 * 1000;

/**
 * `clientToken` idempotency (AppFlow keeps a token for 8 hours): the same token with the same request
 * returns the first response; the same token with a different request is a conflict.
 */
export class Idempotency {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Runs `fn` once per (operation, token); replays its response for repeats within 8 hours. */
  async run<T>(
    operation: string,
    token: string | undefined,
    request: unknown,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (!token) return fn();
    const key = `${operation}:${token}`;
    const hash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
    const now = this.clock.now();
    const prior = await this.db
      .selectFrom("idempotency_tokens")
      .selectAll()
      .where("token_key", "=", key)
      .executeTakeFirst();
    if (prior && now - prior.created_at < TTL_MS) {
      if (prior.request_hash !== hash) {
        throw new ProfileflowError(
          "CONFLICT",
          `clientToken ${token} was already used with a different ${operation} request in the last 8 hours.`,
        );
      }
      return JSON.parse(prior.response) as T;
    }
    const result = await fn();
    await this.db
      .insertInto("idempotency_tokens")
      .values({ token_key: key, request_hash: hash, response: JSON.stringify(result), created_at: now })
      .onConflict((oc) =>
        oc
          .column("token_key")
          .doUpdateSet({ request_hash: hash, response: JSON.stringify(result), created_at: now }),
      )
      .execute();
    return result;
  }
}
