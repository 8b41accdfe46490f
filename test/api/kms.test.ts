import { IAMClient } from "@aws-sdk/client-iam";
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const account = "000000000000";
const text = (s: string) => new TextEncoder().encode(s);

describeEachDialect("KMS through the SDK", (dialect) => {
  let t: TestServer;
  let kms: KMSClient;
  let iam: IAMClient;
  const clients = sdkClients(() => t.endpoint);
  beforeAll(async () => {
    t = await startTestServer(dialect);
    kms = clients.client(KMSClient, t.credentials);
    iam = clients.client(IAMClient, t.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  const defaultPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    ],
  });
  const newKey = async (Description = "test key") =>
    (await kms.send(new CreateKeyCommand({ Description }))).KeyMetadata!;

  it("creates, describes and lists keys with AWS's metadata and default key policy", async () => {
    const key = await newKey("orders");
    expect(key).toMatchObject({
      AWSAccountId: account,
      Arn: `arn:aws:kms:us-east-1:${account}:key/${key.KeyId}`,
      Enabled: true,
      KeyState: "Enabled",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyManager: "CUSTOMER",
      Description: "orders",
    });
    expect(key.CreationDate).toBeInstanceOf(Date);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }));
    expect(described.KeyMetadata!.KeyId).toBe(key.KeyId);
    const listed = await kms.send(new ListKeysCommand({}));
    expect(listed.Keys).toContainEqual({ KeyId: key.KeyId, KeyArn: key.Arn });
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!);
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: "kms:*",
    });
    const missing = await failure(
      kms.send(new DescribeKeyCommand({ KeyId: "11111111-2222-3333-4444-555555555555" })),
    );
    expect(missing.name).toBe("NotFoundException");
  });

  it("pages ListKeys with Limit and Marker", async () => {
    await newKey();
    await newKey();
    const first = await kms.send(new ListKeysCommand({ Limit: 1 }));
    expect(first.Keys).toHaveLength(1);
    expect(first.Truncated).toBe(true);
    const second = await kms.send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));
    expect(second.Keys![0]!.KeyId).not.toBe(first.Keys![0]!.KeyId);
  });

  it("encrypts and decrypts with the encryption context bound, and generates data keys", async () => {
    const key = await newKey();
    const ctx = { domain: "shop" };
    const enc = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("secret-42"), EncryptionContext: ctx }),
    );
    expect(enc.KeyId).toBe(key.Arn);
    expect(Buffer.from(enc.CiphertextBlob!).includes("secret-42")).toBe(false);
    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }),
    );
    expect(new TextDecoder().decode(dec.Plaintext)).toBe("secret-42");
    expect(dec.KeyId).toBe(key.Arn);
    const wrongCtx = await failure(
      kms.send(
        new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { domain: "other" } }),
      ),
    );
    expect(wrongCtx.name).toBe("InvalidCiphertextException");
    const tampered = Buffer.from(enc.CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 1;
    expect(
      (await failure(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: ctx }))))
        .name,
    ).toBe("InvalidCiphertextException");
    const other = await newKey();
    const wrongKey = await failure(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: enc.CiphertextBlob,
          EncryptionContext: ctx,
          KeyId: other.KeyId,
        }),
      ),
    );
    expect(wrongKey.name).toBe("IncorrectKeyException");
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256" }));
    expect(dk.Plaintext).toHaveLength(32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
    const both = await failure(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })));
    expect(both.name).toBe("ValidationException");
  });

  it("a disabled key refuses cryptographic operations with DisabledException until enabled again", async () => {
    const key = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      Enabled: false,
      KeyState: "Disabled",
    });
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).toBe(
      "DisabledException",
    );
    expect(
      (await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") })))).name,
    ).toBe("DisabledException");
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
  });

  it("schedules deletion (PendingDeletion, KMSInvalidStateException), cancels it, and deletes when due", async () => {
    const key = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("gone") }));
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).toBe(
      "KMSInvalidStateException",
    );
    expect((await failure(kms.send(new EnableKeyCommand({ KeyId: key.KeyId })))).name).toBe(
      "KMSInvalidStateException",
    );
    const tooShort = await failure(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })),
    );
    expect(tooShort.name).toBe("ValidationException");
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe(
      "Disabled",
    );
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    // The window elapses: the key and its material are gone for good.
    expect(await t.server.kms.deleteDue(Date.now() + 8 * 86_400_000)).toEqual([key.Arn]);
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe(
      "NotFoundException",
    );
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).toBe(
      "NotFoundException",
    );
  });

  it("aliases: create, use as KeyId, update, list, delete, with AWS's errors", async () => {
    const a = await newKey();
    const b = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: "alias/orders", TargetKeyId: a.KeyId }));
    const dup = await failure(
      kms.send(new CreateAliasCommand({ AliasName: "alias/orders", TargetKeyId: b.KeyId })),
    );
    expect(dup.name).toBe("AlreadyExistsException");
    const reserved = await failure(
      kms.send(new CreateAliasCommand({ AliasName: "alias/aws/x", TargetKeyId: a.KeyId })),
    );
    expect(reserved.name).toBe("InvalidAliasNameException");
    const enc = await kms.send(new EncryptCommand({ KeyId: "alias/orders", Plaintext: text("a") }));
    expect(enc.KeyId).toBe(a.Arn);
    const viaArn = await kms.send(
      new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${account}:alias/orders` }),
    );
    expect(viaArn.KeyMetadata!.KeyId).toBe(a.KeyId);
    await kms.send(new UpdateAliasCommand({ AliasName: "alias/orders", TargetKeyId: b.KeyId }));
    const listed = await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    expect(listed.Aliases).toEqual([
      expect.objectContaining({
        AliasName: "alias/orders",
        AliasArn: `arn:aws:kms:us-east-1:${account}:alias/orders`,
        TargetKeyId: b.KeyId,
      }),
    ]);
    await kms.send(new DeleteAliasCommand({ AliasName: "alias/orders" }));
    expect((await failure(kms.send(new DeleteAliasCommand({ AliasName: "alias/orders" })))).name).toBe(
      "NotFoundException",
    );
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: "alias/orders" })))).name).toBe(
      "NotFoundException",
    );
  });

  it("grants: create, list, retire by token, revoke by id", async () => {
    const key = await newKey();
    const grantee = `arn:aws:iam::${account}:role/integration`;
    const g1 = await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: grantee,
        Operations: ["Decrypt"],
        Name: "g1",
      }),
    );
    const g2 = await kms.send(
      new CreateGrantCommand({
        KeyId: key.Arn,
        GranteePrincipal: grantee,
        Operations: ["Encrypt", "GenerateDataKey"],
        Constraints: { EncryptionContextSubset: { domain: "shop" } },
      }),
    );
    const listed = await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    expect(listed.Grants).toHaveLength(2);
    expect(listed.Grants).toContainEqual(
      expect.objectContaining({
        GrantId: g1.GrantId,
        KeyId: key.Arn,
        Name: "g1",
        Operations: ["Decrypt"],
        GranteePrincipal: grantee,
      }),
    );
    await kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken }));
    await kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g2.GrantId }));
    expect((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants).toEqual([]);
    expect(
      (await failure(kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g2.GrantId! })))).name,
    ).toBe("InvalidGrantIdException");
    expect((await failure(kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken })))).name).toBe(
      "InvalidGrantTokenException",
    );
  });

  it("conditions on kms:GrantOperations and kms:EncryptionContext:… hold against the request's members", async () => {
    const key = await newKey();
    const creds = await userWithKey(
      iam,
      "kms-conditions",
      policyDocument(
        {
          Effect: "Allow",
          Action: "kms:CreateGrant",
          Resource: key.Arn,
          Condition: { "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } },
        },
        {
          Effect: "Allow",
          Action: "kms:Encrypt",
          Resource: key.Arn,
          Condition: { StringEquals: { "kms:EncryptionContext:domain": "shop" } },
        },
      ),
    );
    const user = clients.client(KMSClient, creds);
    const grantee = `arn:aws:iam::${account}:role/reader`;
    await user.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ["Decrypt"] }),
    );
    const wider = await failure(
      user.send(
        new CreateGrantCommand({
          KeyId: key.KeyId,
          GranteePrincipal: grantee,
          Operations: ["Decrypt", "Encrypt"],
        }),
      ),
    );
    expect(wider.name).toBe("AccessDeniedException");
    await user.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x"), EncryptionContext: { domain: "shop" } }),
    );
    const otherContext = await failure(
      user.send(
        new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x"), EncryptionContext: { domain: "bank" } }),
      ),
    );
    expect(otherContext.name).toBe("AccessDeniedException");
  });

  it("authorizes kms:* on key ARNs; the key policy decides with IAM, and grants allow their operations", async () => {
    const key = await newKey();
    const allowed = await userWithKey(
      iam,
      "kms-user",
      policyDocument({ Effect: "Allow", Action: ["kms:Encrypt", "kms:DescribeKey"], Resource: key.Arn }),
    );
    const user = clients.client(KMSClient, allowed);
    await user.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") }));
    const denied = await failure(user.send(new DisableKeyCommand({ KeyId: key.KeyId })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain("kms:DisableKey");
    // A key policy without the account's delegation: IAM's allow is no longer enough.
    const userArn = `arn:aws:iam::${account}:user/kms-user`;
    const onlyDescribe = policyDocument({
      Effect: "Allow",
      Principal: { AWS: userArn },
      Action: "kms:DescribeKey",
      Resource: "*",
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: onlyDescribe }));
    const noDelegation = await failure(
      user.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") })),
    );
    expect(noDelegation.name).toBe("AccessDeniedException");
    expect(noDelegation.message).toContain("resource-based policy");
    await user.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    // A grant to the user allows the grant's operations.
    await kms.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: userArn, Operations: ["Encrypt"] }),
    );
    await user.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x") }));
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: defaultPolicy }));
    const malformed = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: "{" })));
    expect(malformed.name).toBe("MalformedPolicyDocumentException");
  });

  it("CreateAlias and UpdateAlias are authorized on the alias and on the target key", async () => {
    const mine = await newKey("aliasable");
    const other = await newKey("not the user's");
    const aliases = `arn:aws:kms:us-east-1:${account}:alias/team-*`;
    const creds = await userWithKey(
      iam,
      "alias-user",
      policyDocument({
        Effect: "Allow",
        Action: ["kms:CreateAlias", "kms:UpdateAlias"],
        Resource: [aliases, mine.Arn],
      }),
    );
    const user = clients.client(KMSClient, creds);
    const onOther = await failure(
      user.send(new CreateAliasCommand({ AliasName: "alias/team-a", TargetKeyId: other.KeyId })),
    );
    expect(onOther.name).toBe("AccessDeniedException");
    expect(onOther.message).toContain(`kms:CreateAlias on resource: ${other.Arn}`);
    await user.send(new CreateAliasCommand({ AliasName: "alias/team-a", TargetKeyId: mine.KeyId }));
    const moved = await failure(
      user.send(new UpdateAliasCommand({ AliasName: "alias/team-a", TargetKeyId: other.KeyId })),
    );
    expect(moved.name).toBe("AccessDeniedException");
    expect(moved.message).toContain(`kms:UpdateAlias on resource: ${other.Arn}`);
    // UpdateAlias also needs the key the alias points to now.
    await kms.send(new CreateAliasCommand({ AliasName: "alias/team-b", TargetKeyId: other.KeyId }));
    const away = await failure(
      user.send(new UpdateAliasCommand({ AliasName: "alias/team-b", TargetKeyId: mine.KeyId })),
    );
    expect(away.name).toBe("AccessDeniedException");
    expect(away.message).toContain(`kms:UpdateAlias on resource: ${other.Arn}`);
  });

  it("a grant's EncryptionContextEquals / EncryptionContextSubset bind the grantee's requests", async () => {
    const key = await newKey();
    const creds = await userWithKey(iam, "grant-user");
    const grantee = `arn:aws:iam::${account}:user/grant-user`;
    const user = clients.client(KMSClient, creds);
    const seal = async (EncryptionContext: Record<string, string>) =>
      (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text("x"), EncryptionContext })))
        .CiphertextBlob!;
    const shop = await seal({ domain: "shop" });
    const bank = await seal({ domain: "bank" });
    const shopAndMore = await seal({ domain: "shop", table: "t" });
    await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: grantee,
        Operations: ["Decrypt"],
        Constraints: { EncryptionContextEquals: { domain: "shop" } },
      }),
    );
    const decrypt = (CiphertextBlob: Uint8Array, EncryptionContext: Record<string, string>) =>
      user.send(new DecryptCommand({ CiphertextBlob, EncryptionContext }));
    await decrypt(shop, { domain: "shop" });
    expect((await failure(decrypt(bank, { domain: "bank" }))).name).toBe("AccessDeniedException");
    // Equals: one pair more is another context.
    expect((await failure(decrypt(shopAndMore, { domain: "shop", table: "t" }))).name).toBe(
      "AccessDeniedException",
    );
    await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: grantee,
        Operations: ["GenerateDataKey", "CreateGrant"],
        Constraints: { EncryptionContextSubset: { domain: "shop" } },
      }),
    );
    const dataKey = (EncryptionContext?: Record<string, string>) =>
      user.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256", EncryptionContext }));
    await dataKey({ domain: "shop", table: "t" });
    expect((await failure(dataKey({ domain: "Shop" }))).name).toBe("AccessDeniedException");
    expect((await failure(dataKey())).name).toBe("AccessDeniedException");
    // CreateGrant under a constrained grant: the new grant must be at least as strict.
    const regrant = (Constraints?: { EncryptionContextSubset?: Record<string, string> }) =>
      user.send(
        new CreateGrantCommand({
          KeyId: key.KeyId,
          GranteePrincipal: grantee,
          Operations: ["GenerateDataKey"],
          Constraints,
        }),
      );
    expect((await failure(regrant())).name).toBe("AccessDeniedException");
    expect((await failure(regrant({ EncryptionContextSubset: { other: "x" } }))).name).toBe(
      "AccessDeniedException",
    );
    await regrant({ EncryptionContextSubset: { domain: "shop", table: "t" } });
  });
});
