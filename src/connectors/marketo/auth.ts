import {
  type AuthStrategy,
  ConnectorError,
  type ConnectorProfileConfig,
  clientGrants,
  type HttpClient,
  OAuthTokenSource,
  type Timer,
} from "../sdk/index.ts";
import { tokenPath } from "./spec.ts";

/**
 * Marketo access tokens: client_credentials from the identity service, sent as `Authorization: Bearer`
 * (the `access_token` parameter is being removed). Asking before expiry returns the same token with its
 * remaining life, so refreshing 5 s early costs nothing; 601/602 trigger one refresh (errors.ts).
 */
export function marketoAuth(
  profile: ConnectorProfileConfig,
  tokenHttp: HttpClient,
  timer: Timer,
): AuthStrategy {
  const c = profile.credentials;
  if (c.kind !== "oauth_client_credentials") {
    throw new ConnectorError(
      "config",
      `Marketo accepts client id + secret (client_credentials), not ${c.kind}`,
    );
  }
  return new OAuthTokenSource({
    http: tokenHttp,
    tokenPath,
    timer,
    earlyMs: 5_000,
    initialGrant: clientGrants(c.clientId, c.clientSecret).clientCredentials(),
  });
}
