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
    initialGrant: (() => Record<string, string>) | undefined,
    clientId: string,
    clientSecret: string,
    refreshToken?: string,
  ) =>
    new OAuthTokenSource({
      http: tokenHttp,
      tokenPath,
      timer,
      ...(initialGrant ? { initialGrant } : {}),
      refreshGrant: (rt) => ({
        grant_type: "refresh_token",
        client_id: clientId,
        client_secret: clientSecret,
        refresh_token: rt,
      }),
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(onRefreshToken ? { onRefreshToken } : {}),
    });
  switch (c.kind) {
    case "basic":
      return basicAuth(c.username, c.password);
    case "oauth_password":
      return oauth(
        () => ({
          grant_type: "password",
          client_id: c.clientId,
          client_secret: c.clientSecret,
          username: c.username,
          password: c.password,
        }),
        c.clientId,
        c.clientSecret,
        c.refreshToken,
      );
    case "oauth_refresh":
      return oauth(undefined, c.clientId, c.clientSecret, c.refreshToken);
    case "oauth_client_credentials":
      return oauth(
        () => ({ grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret }),
        c.clientId,
        c.clientSecret,
      );
    default:
      throw new ConnectorError("config", `ServiceNow does not accept ${c.kind} credentials`);
  }
}
