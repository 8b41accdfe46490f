import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { useSyncExternalStore } from "react";

/** The API is the page's own origin; profileflow signs and verifies in us-east-1 by default. */
export const REGION = "us-east-1";
export const endpoint = (): string => window.location.origin;

/** Temporary credentials from STS GetSessionToken: all the tab ever keeps (sessionStorage). */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601. */
  expiration: string;
}

/** The sessionStorage key; tests read it to check that no long-term secret is kept. */
export const SESSION_KEY = "profileflow.session";

const listeners = new Set<() => void>();
let cached: { raw: string | null; session: Session | undefined } = { raw: null, session: undefined };

function read(): Session | undefined {
  const raw = window.sessionStorage.getItem(SESSION_KEY);
  if (raw === cached.raw) return cached.session;
  let session: Session | undefined;
  try {
    const s = raw ? (JSON.parse(raw) as Session) : undefined;
    session = s && Date.parse(s.expiration) > Date.now() ? s : undefined;
  } catch {
    session = undefined;
  }
  cached = { raw, session };
  return session;
}

function changed(): void {
  for (const l of listeners) l();
}

/** The signed-in session (undefined when signed out or expired); re-renders on sign-in and sign-out. */
export function useSession(): Session | undefined {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, read);
}

export function currentSession(): Session | undefined {
  return read();
}

/**
 * Signs in with an access key: asks STS for temporary credentials with it and keeps only those.
 * The access key's secret is used for this one signed request and never stored.
 */
export async function signIn(accessKeyId: string, secretAccessKey: string): Promise<Session> {
  const sts = new STSClient({
    region: REGION,
    endpoint: endpoint(),
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
  try {
    const out = await sts.send(new GetSessionTokenCommand({}));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error("GetSessionToken answered without credentials.");
    }
    const session: Session = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration.toISOString(),
    };
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    changed();
    return session;
  } finally {
    sts.destroy();
  }
}

/** Forgets the temporary credentials (and anything else this tab kept). */
export function signOut(): void {
  window.sessionStorage.clear();
  changed();
}
