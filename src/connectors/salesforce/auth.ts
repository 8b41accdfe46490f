import { sign } from "node:crypto";
import {
  type AuthStrategy,
  bearerAuth,
  ConnectorError,
  type ConnectorProfileConfig,
  clientGrants,
  type HttpClient,
  OAuthTokenSource,
  type Timer,
} from "../sdk/index.ts";
import { tokenPath } from "./spec.ts";

/** Credentials plus where the API lives: Salesforce names the instance in each token response. */
export interface SalesforceAuth extends AuthStrategy {
  /** The API host: `instance_url` of the last token response, else the profile's URL. */
  instanceUrl(): string;
}

/** A JWT bearer assertion (RS256) for `sub`, valid for three minutes: Salesforce wants a short `exp`. */
function jwtAssertion(
  clientId: string,
  username: string,
  audience: string,
  privateKeyPem: string,
  nowMs: number,
): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), "utf8").toString("base64url");
  const body = `${b64({ alg: "RS256" })}.${b64({ iss: clientId, sub: username, aud: audience, exp: Math.floor(nowMs / 1000) + 180 })}`;
  const signature = sign("RSA-SHA256", Buffer.from(body, "utf8"), privateKeyPem).toString("base64url");
  return `${body}.${signature}`;
}

/**
 * Salesforce OAuth from `/services/oauth2/token` on the login host: refresh token (rotated tokens go to
 * `onRefreshToken`), client credentials, or JWT bearer (re-minted on every refresh; no refresh token). Tokens
 * carry no `expires_in`: they are refreshed once when a call answers 401 INVALID_SESSION_ID.
 */
export function salesforceAuth(
  profile: ConnectorProfileConfig,
  tokenHttp: HttpClient,
  timer: Timer,
  onRefreshToken?: (refreshToken: string) => void | Promise<void>,
): SalesforceAuth {
  const c = profile.credentials;
  const base = { http: tokenHttp, tokenPath, timer, ...(onRefreshToken ? { onRefreshToken } : {}) };
  let source: OAuthTokenSource;
  switch (c.kind) {
    case "oauth_refresh":
      source = new OAuthTokenSource({
        ...base,
        refreshToken: c.refreshToken,
        refreshGrant: clientGrants(c.clientId, c.clientSecret).refresh,
      });
      break;
    case "oauth_client_credentials":
      source = new OAuthTokenSource({
        ...base,
        initialGrant: clientGrants(c.clientId, c.clientSecret).clientCredentials(),
      });
      break;
    case "oauth_jwt": {
      const audience = c.audience ?? "https://login.salesforce.com";
      source = new OAuthTokenSource({
        ...base,
        initialGrant: () => ({
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion: jwtAssertion(c.clientId, c.username, audience, c.privateKeyPem, timer.now()),
        }),
      });
      break;
    }
    case "bearer": {
      // A bare session id: usable until it expires, never refreshed.
      return { ...bearerAuth(c.accessToken), instanceUrl: () => profile.instanceUrl };
    }
    default:
      throw new ConnectorError("config", `Salesforce does not accept ${c.kind} credentials`);
  }
  return {
    headers: () => source.headers(),
    refresh: (refused) => source.refresh(refused),
    instanceUrl: () => (source.last?.instance_url ?? profile.instanceUrl).replace(/\/+$/, ""),
  };
}
