import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

interface Pair {
  access: string;
  refresh: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  scope: string;
}

/** What a bearer token check finds. */
export type BearerCheck = "ok" | "expired" | "unknown";

/**
 * Zendesk OAuth tokens on the sandbox clock. A refresh returns a new access and refresh token and deletes the
 * previous pair (Zendesk's rotation); `expires_in` / `refresh_token_expires_in` may be asked for, as Zendesk
 * allows for testing. Tokens issued without an expiry never expire (the pre-2025 behaviour).
 */
export class ZendeskTokens {
  readonly #byAccess = new Map<string, Pair>();
  readonly #byRefresh = new Map<string, Pair>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Issues a pair; expiries in seconds (undefined = never). */
  issue(scope: string, expiresInS?: number, refreshExpiresInS?: number) {
    return this.#add(
      randomBytes(32).toString("hex"),
      randomBytes(32).toString("hex"),
      scope,
      expiresInS,
      refreshExpiresInS,
    );
  }

  /**
   * The never-expiring pair a sandbox hands out at start, derived from its seed: like a real Zendesk OAuth
   * token it still works after the sandbox restarts (until a refresh rotates it away).
   */
  issueInitial(seed: number, scope: string) {
    const derive = (what: string) =>
      createHash("sha256").update(`zendesk-sandbox:${seed}:${what}`).digest("hex");
    return this.#add(derive("access"), derive("refresh"), scope);
  }

  #add(access: string, refresh: string, scope: string, expiresInS?: number, refreshExpiresInS?: number) {
    const now = this.#clock.now();
    const pair: Pair = {
      access,
      refresh,
      accessExpiresAt: expiresInS === undefined ? Number.POSITIVE_INFINITY : now + expiresInS * 1000,
      refreshExpiresAt:
        refreshExpiresInS === undefined ? Number.POSITIVE_INFINITY : now + refreshExpiresInS * 1000,
      scope,
    };
    this.#byAccess.set(pair.access, pair);
    this.#byRefresh.set(pair.refresh, pair);
    return {
      access_token: pair.access,
      token_type: "bearer",
      scope,
      refresh_token: pair.refresh,
      expires_in: expiresInS ?? null,
      refresh_token_expires_in: refreshExpiresInS ?? null,
    };
  }

  /** Exchanges a refresh token for a new pair (the old pair stops working), or undefined. */
  refresh(refreshToken: string, expiresInS?: number, refreshExpiresInS?: number) {
    const pair = this.#byRefresh.get(refreshToken);
    if (!pair || pair.refreshExpiresAt <= this.#clock.now()) return undefined;
    this.#byAccess.delete(pair.access);
    this.#byRefresh.delete(pair.refresh);
    return this.issue(pair.scope, expiresInS, refreshExpiresInS);
  }

  /** Checks a bearer token. */
  check(accessToken: string): BearerCheck {
    const pair = this.#byAccess.get(accessToken);
    if (!pair) return "unknown";
    return pair.accessExpiresAt <= this.#clock.now() ? "expired" : "ok";
  }

  /** Expires every access token now (the auth-expiry knob). */
  expireAll(): void {
    const now = this.#clock.now();
    for (const p of this.#byAccess.values()) if (p.accessExpiresAt > now) p.accessExpiresAt = now;
  }
}
