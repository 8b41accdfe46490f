import { CreateDomainCommand, type CreateDomainCommandInput } from "@aws-sdk/client-customer-profiles";
import { KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll } from "vitest";
import type { DialectName } from "../../src/db/dialect.ts";
import { sdkClients } from "./sdk-clients.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

/** CreateDomain's settings besides the name: 30 days' expiration unless given, a generated key unless given. */
export type DomainSettings = Partial<Omit<CreateDomainCommandInput, "DomainName">>;

/** A test server with KMS: the set-up of the tests of encrypted domains. */
export interface KmsTestServer extends TestServer {
  /** KMS of this server, signing as its root credentials. */
  readonly kms: KMSClient;
  /** Clients of any service against this server, destroyed in afterAll. */
  readonly clients: ReturnType<typeof sdkClients>;
  /** CreateDomain, encrypted under `DefaultEncryptionKey` or else a key generated for it; the key's ARN. */
  createDomain(DomainName: string, settings?: DomainSettings): Promise<string>;
}

/**
 * A test server for the enclosing describe block, started in beforeAll and closed in afterAll. What it
 * returns reads through to the running server, so a describe block may keep it from the start.
 */
export function kmsTestServer(dialect: DialectName): KmsTestServer {
  let started: TestServer | undefined;
  let kms: KMSClient | undefined;
  const running = <T>(made: T | undefined): T => {
    if (made === undefined) throw new Error("the test server starts in beforeAll");
    return made;
  };
  const clients = sdkClients(() => running(started).endpoint);
  beforeAll(async () => {
    started = await startTestServer(dialect);
    kms = clients.client(KMSClient, started.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await started?.close();
  });
  const t: KmsTestServer = {
    get server() {
      return running(started).server;
    },
    get endpoint() {
      return running(started).endpoint;
    },
    get credentials() {
      return running(started).credentials;
    },
    get profiles() {
      return running(started).profiles;
    },
    get appflow() {
      return running(started).appflow;
    },
    close: () => running(started).close(),
    get kms() {
      return running(kms);
    },
    clients,
    createDomain: async (DomainName, { DefaultEncryptionKey, ...settings } = {}) =>
      (
        await t.profiles.send(
          new CreateDomainCommand({
            DomainName,
            DefaultExpirationDays: 30,
            ...settings,
            ...(DefaultEncryptionKey ? { DefaultEncryptionKey } : {}),
          }),
        )
      ).DefaultEncryptionKey!,
  };
  return t;
}
