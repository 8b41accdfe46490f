import {
  type AuthStrategy,
  basicAuth,
  ConnectorError,
  type ConnectorProfileConfig,
  type HttpClient,
  OAuthTokenSource,
  type Timer,
} from "../sdk/index.ts";
import { tokenPath } from "./spec.ts";

/**
 * Credentials for a Zendesk account: API token (Basic `email/token:token`), a static OAuth bearer token, or
 * OAuth from `/oauth/tokens` (refresh token, rotated on every refresh; or client credentials).
 */
export function zendeskAuth(
  profile: ConnectorProfileConfig,
  tokenHttp: HttpClient,
  timer: Timer,
  onRefreshToken?: (refreshToken: string) => void | Promise<void>,
): AuthStrategy {
  const c = profile.credentials;
  switch (c.kind) {
    case "api_token":
      return basicAuth(`${c.email}/token`, c.token);
    case "bearer":
      return { headers: () => Promise.resolve({ authorization: `Bearer ${c.accessToken}` }) };
    case "oauth_refresh":
    case "oauth_client_credentials": {
      const refreshToken = c.kind === "oauth_refresh" ? c.refreshToken : undefined;
      return new OAuthTokenSource({
        http: tokenHttp,
        tokenPath,
        timer,
        ...(c.kind === "oauth_client_credentials"
          ? {
              initialGrant: () => ({
                grant_type: "client_credentials",
                client_id: c.clientId,
                client_secret: c.clientSecret,
                scope: "read",
              }),
            }
          : {}),
        refreshGrant: (rt) => ({
          grant_type: "refresh_token",
          client_id: c.clientId,
          client_secret: c.clientSecret,
          refresh_token: rt,
        }),
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...(onRefreshToken ? { onRefreshToken } : {}),
      });
    }
    default:
      throw new ConnectorError("config", `Zendesk does not accept ${c.kind} credentials`);
  }
}
