import { ConnectorError, isConnectorError } from "./connector-error.ts";
import type { AuthStrategy, HttpClient } from "./http-client.ts";
import type { Timer } from "./timer.ts";

/** What a token endpoint answers (RFC 6749 §5.1), as far as we use it. */
export interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly expires_in?: number | string;
  readonly instance_url?: string;
}

/** Options of an OAuth token source. */
interface OAuthTokenSourceOptions {
  /** Client used for the token endpoint (requests are sent with `auth: false`). */
  readonly http: HttpClient;
  readonly tokenPath: string;
  readonly timer: Timer;
  /** Form of the first grant (password, client_credentials, JWT); absent when only a refresh token exists. */
  readonly initialGrant?: () => Record<string, string>;
  /** Form of a refresh grant for the given refresh token. */
  readonly refreshGrant?: (refreshToken: string) => Record<string, string>;
  readonly refreshToken?: string;
  /** Called when the vendor hands out a new refresh token, so the caller can persist it. */
  readonly onRefreshToken?: (refreshToken: string) => void | Promise<void>;
  /** Refresh this long before `expires_in` runs out. */
  readonly earlyMs?: number;
  /** Default lifetime when the vendor gives no `expires_in` (Salesforce): refresh only on 401. */
  readonly defaultLifetimeMs?: number;
}

/**
 * OAuth access tokens for an HttpClient: fetched lazily, refreshed before expiry and once on a 401,
 * single-flight (parallel 401s cause one refresh), rotated refresh tokens handed to `onRefreshToken`.
 */
export class OAuthTokenSource implements AuthStrategy {
  readonly #o: OAuthTokenSourceOptions;
  #access: string | undefined;
  #expiresAt = Number.POSITIVE_INFINITY;
  #refreshToken: string | undefined;
  #inflight: Promise<void> | undefined;
  /** The last token response (e.g. Salesforce's instance_url). */
  last: TokenResponse | undefined;

  constructor(options: OAuthTokenSourceOptions) {
    this.#o = options;
    this.#refreshToken = options.refreshToken;
  }

  async headers(): Promise<Record<string, string>> {
    if (this.#access === undefined || this.#o.timer.now() >= this.#expiresAt - (this.#o.earlyMs ?? 60_000)) {
      await this.refresh();
    }
    return { authorization: `Bearer ${this.#access}` };
  }

  /** Gets a new access token (refresh grant first, then the initial grant); single-flight. */
  refresh(refused?: Readonly<Record<string, string>>): Promise<void> {
    // Another request already replaced the refused token: nothing to do.
    if (refused?.["authorization"] !== undefined && refused["authorization"] !== `Bearer ${this.#access}`) {
      return this.#inflight ?? Promise.resolve();
    }
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    const { refreshGrant, initialGrant } = this.#o;
    if (this.#refreshToken !== undefined && refreshGrant) {
      try {
        return await this.#grant(refreshGrant(this.#refreshToken), "refresh");
      } catch (e) {
        // A revoked refresh token is fatal unless we can start over with the first grant.
        if (!isConnectorError(e, "auth") || !initialGrant) throw e;
      }
    }
    if (!initialGrant) {
      throw new ConnectorError("auth", "no refresh token and no other grant configured");
    }
    await this.#grant(initialGrant(), "initial");
  }

  async #grant(form: Record<string, string>, which: "refresh" | "initial"): Promise<void> {
    let res: Awaited<ReturnType<HttpClient["request"]>>;
    try {
      res = await this.#o.http.request({ method: "POST", path: this.#o.tokenPath, form, auth: false });
    } catch (e) {
      throw isConnectorError(e) ? tokenError(e, which) : e;
    }
    const body = res.body as Partial<TokenResponse> | undefined;
    if (!body || typeof body.access_token !== "string") {
      throw new ConnectorError("bug", "token endpoint answered without access_token", { status: res.status });
    }
    this.last = body as TokenResponse;
    this.#access = body.access_token;
    const life = body.expires_in === undefined ? this.#o.defaultLifetimeMs : Number(body.expires_in) * 1000;
    this.#expiresAt =
      life === undefined || Number.isNaN(life) ? Number.POSITIVE_INFINITY : this.#o.timer.now() + life;
    if (typeof body.refresh_token === "string" && body.refresh_token !== this.#refreshToken) {
      this.#refreshToken = body.refresh_token;
      await this.#o.onRefreshToken?.(body.refresh_token);
    }
  }
}

/** Token endpoint refusals (400/401 invalid_grant, invalid_client) become auth errors with a precise reason. */
function tokenError(e: ConnectorError, which: "refresh" | "initial"): ConnectorError {
  if (
    e.status === undefined ||
    e.status >= 500 ||
    e.class === "rate_limited" ||
    e.class === "quota_exhausted"
  )
    return e;
  const m = e.message;
  let reason = "the token endpoint refused the grant";
  if (/invalid_client/i.test(m)) reason = "client id or client secret rejected";
  else if (/invalid_grant|access_denied|expired|revoked/i.test(m) || e.status === 401)
    reason =
      which === "refresh" ? "refresh token revoked or expired" : "username, password or assertion rejected";
  return new ConnectorError("auth", `${reason} (${m})`, { status: e.status, cause: e });
}

/** The form grants of a confidential OAuth client (RFC 6749 §4.4 client credentials, §6 refresh). */
export function clientGrants(clientId: string, clientSecret: string) {
  const client = { client_id: clientId, client_secret: clientSecret };
  return {
    refresh: (refreshToken: string): Record<string, string> => ({
      grant_type: "refresh_token",
      ...client,
      refresh_token: refreshToken,
    }),
    clientCredentials:
      (extra: Readonly<Record<string, string>> = {}) =>
      (): Record<string, string> => ({ grant_type: "client_credentials", ...client, ...extra }),
    /** `grant_type` with the client's id and secret and the grant's own fields. */
    other: (grantType: string, fields: Readonly<Record<string, string>>) => (): Record<string, string> => ({
      grant_type: grantType,
      ...client,
      ...fields,
    }),
  };
}

/** A fixed bearer token (no refresh possible). */
export function bearerAuth(accessToken: string): AuthStrategy {
  const value = `Bearer ${accessToken}`;
  return { headers: () => Promise.resolve({ authorization: value }) };
}

/** HTTP Basic credentials (no refresh possible). */
export function basicAuth(username: string, password: string): AuthStrategy {
  const value = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  return { headers: () => Promise.resolve({ authorization: value }) };
}
