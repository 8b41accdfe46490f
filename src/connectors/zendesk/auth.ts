import {
  type AuthStrategy,
  basicAuth,
  bearerAuth,
  ConnectorError,
  type ConnectorProfileConfig,
  clientGrants,
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
      return bearerAuth(c.accessToken);
    case "oauth_refresh":
    case "oauth_client_credentials": {
      const refreshToken = c.kind === "oauth_refresh" ? c.refreshToken : undefined;
      const grants = clientGrants(c.clientId, c.clientSecret);
      return new OAuthTokenSource({
        http: tokenHttp,
        tokenPath,
        timer,
        ...(c.kind === "oauth_client_credentials"
          ? { initialGrant: grants.clientCredentials({ scope: "read" }) }
          : {}),
        refreshGrant: grants.refresh,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...(onRefreshToken ? { onRefreshToken } : {}),
      });
    }
    default:
      throw new ConnectorError("config", `Zendesk does not accept ${c.kind} credentials`);
  }
}
