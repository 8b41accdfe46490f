import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

/** ServiceNow's default access-token lifespan (the token response says `expires_in: 1799`). */
export const defaultAccessTtlMs = 1_800_000;
/** The Application Registry's default refresh-token lifespan (100 days). */
export const defaultRefreshTtlMs = 100 * 86_400_000;

/** The `/oauth_token.do` success body. */
export interface TokenResponse {
  scope: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  access_token: string;
}

interface Grant {
  user: string;
  expiresAt: number;
}

/**
 * Issues and checks OAuth tokens against the sandbox clock. Refresh keeps the refresh token (as ServiceNow
 * does) unless rotation is on, in which case the old refresh token stops working.
 */
export class OAuthTokens {
  readonly #access = new Map<string, Grant>();
  readonly #refresh = new Map<string, Grant>();
  readonly #clock: Clock;
  readonly #accessTtl: () => number;

  constructor(clock: Clock, accessTtlMs: () => number = () => defaultAccessTtlMs) {
    this.#clock = clock;
    this.#accessTtl = accessTtlMs;
  }

  /** Password grant: a fresh access + refresh pair for `user`. */
  issue(user: string): TokenResponse {
    const refresh = token();
    this.#refresh.set(refresh, { user, expiresAt: this.#clock.now() + defaultRefreshTtlMs });
    return this.#respond(user, refresh);
  }

  /** Refresh grant: a new access token, or undefined when the refresh token is unknown or expired. */
  refresh(refreshToken: string, rotate: boolean): TokenResponse | undefined {
    const grant = this.#refresh.get(refreshToken);
    if (!grant || grant.expiresAt <= this.#clock.now()) return undefined;
    if (!rotate) return this.#respond(grant.user, refreshToken);
    this.#refresh.delete(refreshToken);
    return this.issue(grant.user);
  }

  /** The user an access token belongs to, or undefined when it is unknown or expired. */
  userOf(accessToken: string): string | undefined {
    const grant = this.#access.get(accessToken);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.#clock.now()) {
      this.#access.delete(accessToken);
      return undefined;
    }
    return grant.user;
  }

  /** Makes every live access token expire now (the auth-expiry knob, and tests). */
  expireAll(): void {
    for (const grant of this.#access.values()) grant.expiresAt = this.#clock.now();
  }

  #respond(user: string, refresh: string): TokenResponse {
    const access = token();
    const ttl = this.#accessTtl();
    this.#access.set(access, { user, expiresAt: this.#clock.now() + ttl });
    return {
      scope: "useraccount",
      token_type: "Bearer",
      expires_in: Math.max(0, Math.floor(ttl / 1000) - 1),
      refresh_token: refresh,
      access_token: access,
    };
  }
}

function token(): string {
  // ServiceNow tokens are 86-character URL-safe strings.
  return randomBytes(64).toString("base64url").slice(0, 86);
}
