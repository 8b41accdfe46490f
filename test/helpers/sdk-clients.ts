/** An access key pair (with a session token for temporary credentials) an SDK client signs with. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The SDK client configuration the API tests use: the test server, us-east-1, no retries. */
export interface SdkClientConfig {
  endpoint: string;
  region: string;
  credentials: Credentials;
  maxAttempts: number;
}

/**
 * SDK clients of any service against the test server at `endpoint()` (read when a client is made, so it
 * may be started later, in beforeAll), each signing as the given credentials; destroyAll() closes them.
 */
export function sdkClients(endpoint: () => string) {
  const made: { destroy(): void }[] = [];
  return {
    client<C extends { destroy(): void }>(make: new (c: SdkClientConfig) => C, credentials: Credentials): C {
      const c = new make({ endpoint: endpoint(), region: "us-east-1", credentials, maxAttempts: 1 });
      made.push(c);
      return c;
    },
    destroyAll(): void {
      for (const c of made) c.destroy();
    },
  };
}
