import { CreateDomainCommand, DeleteDomainCommand } from "@aws-sdk/client-customer-profiles";
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const DAY = 86_400_000;

// Issue 16: the key CreateDomain generates for a domain (no DefaultEncryptionKey given) belongs to the
// domain: DeleteDomain schedules its deletion with KMS's default waiting period. A key the customer
// gave is left alone, and so is a generated key that another domain still uses.
describeEachDialect("DeleteDomain and the key generated for the domain", (dialect) => {
  let t: TestServer;
  let kms: KMSClient;
  const clients = sdkClients(() => t.endpoint);
  beforeAll(async () => {
    t = await startTestServer(dialect);
    kms = clients.client(KMSClient, t.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  const createDomain = async (DomainName: string, DefaultEncryptionKey?: string) =>
    (
      await t.profiles.send(
        new CreateDomainCommand({
          DomainName,
          DefaultExpirationDays: 30,
          ...(DefaultEncryptionKey ? { DefaultEncryptionKey } : {}),
        }),
      )
    ).DefaultEncryptionKey!;
  const deleteDomain = (DomainName: string) => t.profiles.send(new DeleteDomainCommand({ DomainName }));
  const describe = async (KeyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;

  it("the generated key is PendingDeletion after DeleteDomain, with KMS's default 30-day window; CancelKeyDeletion brings it back", async () => {
    const key = await createDomain("gen-key");
    expect((await describe(key)).KeyState).toBe("Enabled");
    const before = Date.now();
    await deleteDomain("gen-key");
    const meta = await describe(key);
    expect(meta.KeyState).toBe("PendingDeletion");
    expect(meta.PendingDeletionWindowInDays).toBe(30);
    expect(meta.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(meta.DeletionDate!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);
    // KMS's own CancelKeyDeletion: Disabled again, as in AWS.
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key }));
    expect((await describe(key)).KeyState).toBe("Disabled");
  });

  it("a key the customer gave stays Enabled after DeleteDomain", async () => {
    const given = (await kms.send(new CreateKeyCommand({ Description: "customer's own" }))).KeyMetadata!.Arn!;
    expect(await createDomain("given-key", given)).toBe(given);
    await deleteDomain("given-key");
    const meta = await describe(given);
    expect(meta.KeyState).toBe("Enabled");
    expect(meta.DeletionDate).toBeUndefined();
  });

  it("a generated key another domain was given as its DefaultEncryptionKey stays, until that domain is gone too", async () => {
    const key = await createDomain("shared-a");
    expect(await createDomain("shared-b", key)).toBe(key);
    await deleteDomain("shared-a");
    expect((await describe(key)).KeyState).toBe("Enabled");
    // shared-b was given the key: deleting it leaves the key alone as well (the customer chose it there).
    await deleteDomain("shared-b");
    expect((await describe(key)).KeyState).toBe("Enabled");
  });

  it("the tag that marks a generated key cannot be put on a customer's key (aws: is reserved)", async () => {
    const e = await failure(
      kms.send(
        new CreateKeyCommand({ Tags: [{ TagKey: "aws:profile:generated-for-domain", TagValue: "x" }] }),
      ),
    );
    expect(e.name).toBe("ValidationException");
    expect(e.message).toContain("aws:profile:generated-for-domain");
  });
});
