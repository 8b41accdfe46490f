import type { Queryable } from "../db/queryable.ts";

/**
 * clientToken idempotency as services use it (src/api/idempotency.ts implements it): the lookup, the
 * operation and the token's record commit in the operation's own transaction.
 */
export interface IdempotencyPort {
  runIn<R>(
    tx: Queryable,
    operation: string,
    token: string | undefined,
    request: unknown,
    fn: (tx: Queryable) => Promise<R>,
  ): Promise<R>;
  replayIn<R>(
    q: Queryable,
    operation: string,
    token: string | undefined,
    request: unknown,
  ): Promise<{ response: R } | undefined>;
}

/**
 * A request that may carry a clientToken: `respond` turns the operation's result into the response that
 * is recorded with the token and replayed, as is, for a repeat within the TTL.
 */
export interface Replayable<T, R> {
  readonly token?: string | undefined;
  /** What fingerprints the request: the same token with another request is a CONFLICT. */
  readonly request?: unknown;
  readonly respond: (result: T) => R;
}

/** No token: the result as the response. */
export function plain<T>(): Replayable<T, T> {
  return { respond: (r) => r };
}
