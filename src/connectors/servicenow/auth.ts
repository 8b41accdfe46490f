import {
  type AuthStrategy,
  basicAuth,
  ConnectorError,
  type ConnectorProfileConfig,
  clientGrants,
  type HttpClient,
  OAuthTokenSource,
  type Timer,
} from "../sdk/index.ts";
import { tokenPath } from "./spec.ts";

/**
 * Credentials for a ServiceNow instance: Basic, or OAuth (password grant, refresh token, or client
 * credentials) from `/oauth_token.do`, which takes form-encoded bodies only.
 */
export function serviceNowAuth(
  profile: ConnectorProfileConfig,
  tokenHttp: HttpClient,
  timer: Timer,
  onRefreshToken?: (refreshToken: string) => void | Promise<void>,
): AuthStrategy {
  const c = profile.credentials;
  const oauth = (
    grants: ReturnType<typeof clientGrants>,
    initialGrant: (() => Record<string, string>) | undefined,
    refreshToken?: string,
  ) =>
    new OAuthTokenSource({
      http: tokenHttp,
      tokenPath,
      timer,
      ...(initialGrant ? { initialGrant } : {}),
      refreshGrant: grants.refresh,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(onRefreshToken ? { onRefreshToken } : {}),
    });
  switch (c.kind) {
    case "basic":
      return basicAuth(c.username, c.password);
    case "oauth_password": {
      const grants = clientGrants(c.clientId, c.clientSecret);
      const password = grants.other("password", { username: c.username, password: c.password });
      return oauth(grants, password, c.refreshToken);
    }
    case "oauth_refresh":
      return oauth(clientGrants(c.clientId, c.clientSecret), undefined, c.refreshToken);
    case "oauth_client_credentials": {
      const grants = clientGrants(c.clientId, c.clientSecret);
      return oauth(grants, grants.clientCredentials());
    }
    default:
      throw new ConnectorError("config", `ServiceNow does not accept ${c.kind} credentials`);
  }
}
