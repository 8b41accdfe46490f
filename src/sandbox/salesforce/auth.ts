import { createHmac } from "node:crypto";
import { hash32, json, type Reply, type SandboxWorld } from "../core/index.ts";
import { sfErrors } from "./errors.ts";

/** What a client needs to connect (the `salesforce` member of the sandbox credentials JSON). */
export interface SalesforceCredentials {
  instanceUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken: string;
  username: string;
}

export const ORG_ID = "00DSb0000000001AAA";
export const USER_ID = "005Sb0000000001AAA";
/** Salesforce's default session timeout: 2 hours of inactivity. */
const DEFAULT_SESSION_MS = 2 * 3_600_000;

const tokenError = (error: string, description: string, status = 400): Reply =>
  json(status, { error, error_description: description });

/**
 * The OAuth side of the simulator: refresh_token, client_credentials and JWT bearer grants, sessions that
 * expire after inactivity on the sandbox clock, and optional refresh-token rotation.
 */
export class SalesforceAuth {
  readonly #world: SandboxWorld;
  readonly #sessions = new Map<string, number>();
  readonly #refreshTokens = new Set<string>();
  readonly #secret: string;
  #counter = 0;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username = "integration@profileflow-sandbox.example.com";
  readonly initialRefreshToken: string;
  readonly initialAccessToken: string;

  constructor(world: SandboxWorld) {
    this.#world = world;
    const s = world.seed;
    this.#secret = `sf-${s}`;
    this.clientId = `3MVG9Sandbox${hash32(s, 1).toString(36)}${hash32(s, 2).toString(36)}`;
    this.clientSecret = `${hash32(s, 3).toString(16)}${hash32(s, 4).toString(16)}`.toUpperCase();
    this.initialRefreshToken = `5Aep861Sandbox${hash32(s, 5).toString(36)}${hash32(s, 6).toString(36)}`;
    this.#refreshTokens.add(this.initialRefreshToken);
    this.initialAccessToken = this.#mint();
  }

  /** Handles `POST /services/oauth2/token`. */
  token(form: URLSearchParams, instanceUrl: string): Reply {
    const grant = form.get("grant_type");
    const now = this.#world.clock.now();
    if (grant === "refresh_token") {
      if (form.get("client_id") !== this.clientId)
        return tokenError("invalid_client_id", "client identifier invalid");
      if (form.has("client_secret") && form.get("client_secret") !== this.clientSecret)
        return tokenError("invalid_client", "invalid client credentials");
      const rt = form.get("refresh_token") ?? "";
      if (!this.#refreshTokens.has(rt)) return tokenError("invalid_grant", "expired access/refresh token");
      const extra: Record<string, string> = {};
      if (this.#world.knobs.rotateRefreshTokens) {
        this.#refreshTokens.delete(rt);
        const next = `5Aep861Sandbox${hash32(this.#world.seed, 7, ++this.#counter, now).toString(36)}${this.#counter}`;
        this.#refreshTokens.add(next);
        extra.refresh_token = next;
      }
      return this.#issue(instanceUrl, "api refresh_token", extra);
    }
    if (grant === "client_credentials") {
      if (form.get("client_id") !== this.clientId)
        return tokenError("invalid_client_id", "client identifier invalid");
      if (form.get("client_secret") !== this.clientSecret)
        return tokenError("invalid_client", "invalid client credentials");
      return this.#issue(instanceUrl, "api", { token_format: "opaque" });
    }
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const claims = decodeJwt(form.get("assertion") ?? "");
      if (!claims) return tokenError("invalid_grant", "invalid assertion");
      if (claims.iss !== this.clientId) return tokenError("invalid_client_id", "client identifier invalid");
      if (claims.sub !== this.username)
        return tokenError("invalid_grant", "user hasn't approved this consumer");
      const aud = String(claims.aud ?? "");
      if (
        ![instanceUrl, "https://login.salesforce.com", "https://test.salesforce.com"].includes(
          aud.replace(/\/$/, ""),
        )
      ) {
        return tokenError("invalid_grant", "audience is invalid");
      }
      if (typeof claims.exp !== "number" || claims.exp * 1000 <= now)
        return tokenError("invalid_grant", "expired authorization code");
      return this.#issue(instanceUrl, "api");
    }
    return tokenError("unsupported_grant_type", "grant type not supported");
  }

  /** Checks `Authorization: Bearer …` (or OAuth …); returns the token or throws INVALID_SESSION_ID. */
  check(header: string | undefined): string {
    const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header ?? "")?.[1]?.trim() ?? "";
    const last = this.#sessions.get(token);
    const now = this.#world.clock.now();
    const ttl = this.#world.knobs.tokenTtlMs || DEFAULT_SESSION_MS;
    if (last === undefined || now - last > ttl) {
      this.#sessions.delete(token);
      throw sfErrors.invalidSession();
    }
    this.#sessions.set(token, now);
    return token;
  }

  /** Ends a session (the auth-expiry fault: the next call with it gets 401). */
  revoke(token: string): void {
    this.#sessions.delete(token);
  }

  #mint(): string {
    const n = ++this.#counter;
    const body = createHmac("sha256", this.#secret)
      .update(`${n}:${this.#world.clock.now()}`)
      .digest("base64url");
    const token = `${ORG_ID.slice(0, 15)}!AQ${body}`;
    this.#sessions.set(token, this.#world.clock.now());
    return token;
  }

  #issue(instanceUrl: string, scope: string, extra: Record<string, string> = {}): Reply {
    const now = this.#world.clock.now();
    const access = this.#mint();
    return json(200, {
      access_token: access,
      ...extra,
      signature: createHmac("sha256", this.clientSecret).update(`${instanceUrl}${now}`).digest("base64"),
      scope,
      instance_url: instanceUrl,
      id: `${instanceUrl}/id/${ORG_ID}/${USER_ID}`,
      token_type: "Bearer",
      issued_at: String(now),
    });
  }
}

function decodeJwt(assertion: string): Record<string, unknown> | undefined {
  const parts = assertion.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
