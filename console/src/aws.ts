import { AppflowClient } from "@aws-sdk/client-appflow";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { useMemo } from "react";
import { endpoint, REGION, type Session, useSession } from "./session.ts";

/** The public API's clients, signing (SigV4) with the session's temporary credentials. */
export interface Clients {
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  secrets: SecretsManagerClient;
  iam: IAMClient;
}

/** Signs with the session's credentials; without a session (just signed out) every call fails, asking to sign in. */
export function makeClients(session: Session | undefined): Clients {
  const credentials = session
    ? {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
      }
    : async () => {
        throw new Error("You are signed out: sign in again.");
      };
  const config = { region: REGION, endpoint: endpoint(), credentials, maxAttempts: 1 };
  return {
    profiles: new CustomerProfilesClient(config),
    appflow: new AppflowClient(config),
    secrets: new SecretsManagerClient(config),
    iam: new IAMClient(config),
  };
}

/**
 * The clients for the signed-in session (new ones after each sign-in). Pages render only when signed
 * in (app.tsx); in the render that follows a sign-out they get clients that refuse to call.
 */
export function useClients(): Clients {
  const session = useSession();
  return useMemo(() => makeClients(session), [session]);
}

/** The API's own message for a failed call (the SDK puts the body's Message/message there). */
export function apiMessage(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}

/** True when the temporary credentials ran out or were refused: the user must sign in again. */
export function isExpired(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return name === "ExpiredTokenException" || name === "ExpiredToken" || name === "InvalidClientTokenId";
}
