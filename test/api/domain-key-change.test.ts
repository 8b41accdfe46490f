import {
  CreateDomainCommand,
  CustomerProfilesClient,
  GetDomainCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import { CreateKeyCommand, EncryptCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

// Issue 16: UpdateDomain moves the domain's data key to another KMS key only for a caller allowed
// kms:Decrypt on the old key and kms:GenerateDataKey on the new one (via profile.<region>.amazonaws.com).
describeEachDialect(
  "UpdateDomain's DefaultEncryptionKey needs the caller's rights on both keys",
  (dialect) => {
    let t: TestServer;
    let kms: KMSClient;
    const clients = sdkClients(() => t.endpoint);
    let oldKey: string;
    let newKey: string;
    beforeAll(async () => {
      t = await startTestServer(dialect);
      kms = clients.client(KMSClient, t.credentials);
      oldKey = (
        await t.profiles.send(new CreateDomainCommand({ DomainName: "dk", DefaultExpirationDays: 30 }))
      ).DefaultEncryptionKey!;
      newKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    });
    afterAll(async () => {
      clients.destroyAll();
      await t?.close();
    });

    // The test server's region is us-east-1.
    const via = { StringEquals: { "kms:ViaService": "profile.us-east-1.amazonaws.com" } };
    const asUser = async (name: string, ...statements: unknown[]) => {
      const creds = await userWithKey(
        clients.client(IAMClient, t.credentials),
        name,
        policyDocument({ Effect: "Allow", Action: "profile:*", Resource: "*" }, ...statements),
      );
      return {
        profiles: clients.client(CustomerProfilesClient, creds),
        kms: clients.client(KMSClient, creds),
      };
    };
    const update = (c: CustomerProfilesClient) =>
      c.send(new UpdateDomainCommand({ DomainName: "dk", DefaultEncryptionKey: newKey }));
    const currentKey = async () =>
      (await t.profiles.send(new GetDomainCommand({ DomainName: "dk" }))).DefaultEncryptionKey;

    it("profile:UpdateDomain alone is not enough: kms:Decrypt on the old key is refused", async () => {
      const u = await asUser("only-profile");
      const e = await failure(update(u.profiles));
      expect(e.name).toBe("AccessDeniedException");
      expect(e.message).toContain("kms:Decrypt");
      expect(e.message).toContain(oldKey);
      expect(await currentKey()).toBe(oldKey);
    });

    it("kms:Decrypt on the old key without kms:GenerateDataKey on the new one is refused", async () => {
      const u = await asUser("decrypt-only", {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: oldKey,
        Condition: via,
      });
      const e = await failure(update(u.profiles));
      expect(e.name).toBe("AccessDeniedException");
      expect(e.message).toContain("kms:GenerateDataKey");
      expect(e.message).toContain(newKey);
      expect(await currentKey()).toBe(oldKey);
    });

    it("with both (through Customer Profiles only) the key changes; the same rights do not allow direct KMS calls", async () => {
      const u = await asUser(
        "both",
        { Effect: "Allow", Action: "kms:Decrypt", Resource: oldKey, Condition: via },
        { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: newKey, Condition: via },
      );
      const direct = await failure(
        u.kms.send(new EncryptCommand({ KeyId: newKey, Plaintext: Buffer.from("x") })),
      );
      expect(direct.name).toBe("AccessDeniedException");
      expect((await update(u.profiles)).DefaultEncryptionKey).toBe(newKey);
      expect(await currentKey()).toBe(newKey);
    });

    it("CreateDomain with a DefaultEncryptionKey generates no key of its own", async () => {
      const keys = async () => (await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.length;
      const before = await keys();
      const d = await t.profiles.send(
        new CreateDomainCommand({
          DomainName: "dk-given",
          DefaultExpirationDays: 30,
          DefaultEncryptionKey: newKey,
        }),
      );
      expect(d.DefaultEncryptionKey).toBe(newKey);
      expect(await keys()).toBe(before);
    });

    it("CreateDomain with a given key needs kms:GenerateDataKey on it (through Customer Profiles)", async () => {
      const u = await asUser("creator");
      const e = await failure(
        u.profiles.send(
          new CreateDomainCommand({
            DomainName: "dk-refused",
            DefaultExpirationDays: 30,
            DefaultEncryptionKey: newKey,
          }),
        ),
      );
      expect(e.name).toBe("AccessDeniedException");
      expect(e.message).toContain(`kms:GenerateDataKey on resource: ${newKey}`);
      expect((await failure(t.profiles.send(new GetDomainCommand({ DomainName: "dk-refused" })))).name).toBe(
        "ResourceNotFoundException",
      );
      const allowed = await asUser("creator2", {
        Effect: "Allow",
        Action: "kms:GenerateDataKey",
        Resource: newKey,
        Condition: via,
      });
      const d = await allowed.profiles.send(
        new CreateDomainCommand({
          DomainName: "dk-allowed",
          DefaultExpirationDays: 30,
          DefaultEncryptionKey: newKey,
        }),
      );
      expect(d.DefaultEncryptionKey).toBe(newKey);
      // Without a key of its own the domain needs no KMS right of the caller.
      await u.profiles.send(new CreateDomainCommand({ DomainName: "dk-own", DefaultExpirationDays: 30 }));
    });
  },
);
