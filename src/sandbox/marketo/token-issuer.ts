/**
 * Marketo's identity service: client_credentials tokens that live 3,600 s, and asking again before
 * expiry returns the same token with its remaining lifespan (sources.md §3.1). Tokens look like
 * `<uuid>:<pod>`.
 */
import { randomUUID } from "node:crypto";

/** What validating a bearer token found. */
export type TokenCheck = "ok" | "empty" | "invalid" | "expired";

/** Issues and checks access tokens against one sandbox clock. */
export class TokenIssuer {
  readonly #clientId: string;
  readonly #clientSecret: string;
  #ttlMs: number;
  #current: { token: string; expiresAt: number } | undefined;
  readonly #expired = new Set<string>();

  constructor(clientId: string, clientSecret: string, ttlMs = 3_600_000) {
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
    this.#ttlMs = ttlMs;
  }

  /** Changes the lifetime of tokens issued from now on. */
  setTtl(ms: number): void {
    this.#ttlMs = ms;
  }

  /** The token for these credentials, or undefined when they are wrong (HTTP 401 at the edge). */
  issue(
    clientId: string | undefined,
    clientSecret: string | undefined,
    now: number,
  ): { token: string; expiresInS: number } | undefined {
    if (clientId !== this.#clientId || clientSecret !== this.#clientSecret) return undefined;
    if (!this.#current || this.#current.expiresAt <= now) {
      if (this.#current) this.#expired.add(this.#current.token);
      this.#current = { token: `${randomUUID()}:ab`, expiresAt: now + this.#ttlMs };
    }
    return {
      token: this.#current.token,
      expiresInS: Math.max(0, Math.floor((this.#current.expiresAt - now) / 1000)),
    };
  }

  /** Ends the current token's life now, as if its hour had passed. */
  expireNow(now: number): void {
    if (this.#current) this.#current.expiresAt = Math.min(this.#current.expiresAt, now);
  }

  /** Checks a bearer token at `now`. */
  check(token: string | undefined, now: number): TokenCheck {
    if (!token) return "empty";
    if (this.#current?.token === token) return this.#current.expiresAt > now ? "ok" : "expired";
    return this.#expired.has(token) ? "expired" : "invalid";
  }
}
