/** `/identity/oauth/token`: Marketo's client_credentials grant, by GET or POST. */
import type { Reply, SandboxRequest } from "../core/index.ts";
import { json } from "../core/index.ts";
import { requestParams } from "./request-params.ts";
import type { TokenIssuer } from "./token-issuer.ts";

/** Answers a token request; bad credentials are HTTP 401, as Marketo's identity service does. */
export function handleIdentity(req: SandboxRequest, issuer: TokenIssuer): Reply {
  if (req.method !== "GET" && req.method !== "POST") {
    return json(405, { error: "invalid_request", error_description: "Method not allowed" });
  }
  const p = requestParams(req);
  const grant = p["grant_type"];
  if (!grant) return json(400, { error: "invalid_request", error_description: "Missing grant type" });
  if (grant !== "client_credentials") {
    return json(400, {
      error: "unsupported_grant_type",
      error_description: `Unsupported grant type: ${grant}`,
    });
  }
  const issued = issuer.issue(p["client_id"], p["client_secret"], req.now);
  if (!issued) return json(401, { error: "invalid_client", error_description: "Bad client credentials" });
  return json(200, {
    access_token: issued.token,
    token_type: "bearer",
    expires_in: issued.expiresInS,
    scope: "apis@sandbox.profileflow.local",
  });
}
