import { ProfileflowError } from "../../core/errors.ts";
import type { KmsGrant } from "../../security/kms/kms-grant-store.ts";
import type { KmsKey } from "../../security/kms/kms-key-store.ts";
import type { KmsService } from "../../security/kms/kms-service.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { kmsInputs as I } from "./kms-members.ts";

const seconds = (ms: number) => ms / 1000;
const b64 = (s: string) => Buffer.from(s, "base64");

/** DescribeKey's KeyMetadata. */
export function keyMetadata(k: KmsKey, account: string) {
  return {
    AWSAccountId: account,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: seconds(k.createdAt),
    Enabled: k.state === "Enabled",
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: seconds(k.deletionDate) } : {}),
    ...(k.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: k.pendingWindowDays } : {}),
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    KeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  };
}

function grantEntry(g: KmsGrant & { keyArn: string }) {
  return {
    KeyId: g.keyArn,
    GrantId: g.grantId,
    ...(g.name ? { Name: g.name } : {}),
    CreationDate: seconds(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: g.issuingAccount,
    Operations: g.operations,
    ...(g.constraints ? { Constraints: g.constraints } : {}),
  };
}

/** An alias name KMS accepts for a customer: `alias/…`, not under the reserved `alias/aws/`. */
function aliasName(name: string): string {
  if (!name.startsWith("alias/") || name === "alias/") {
    throw new ProfileflowError(
      "KMS_INVALID_ALIAS_NAME",
      `Alias must start with the prefix "alias/": ${name}`,
    );
  }
  if (name.startsWith("alias/aws/")) {
    throw new ProfileflowError(
      "KMS_INVALID_ALIAS_NAME",
      `Alias ${name} is reserved: names beginning with alias/aws/ belong to AWS managed keys.`,
    );
  }
  return name;
}

const op = (name: string, handler: (ctx: OperationContext) => Promise<unknown>): Operation => ({
  name,
  method: "POST",
  path: "/",
  target: `TrentService.${name}`,
  handler,
});

const list = <T>(items: T[], nextMarker: string | undefined) => ({
  ...(nextMarker ? { NextMarker: nextMarker } : {}),
  Truncated: nextMarker !== undefined,
  items,
});

/** Keys: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, Schedule/CancelKeyDeletion, key policies. */
function keyOperations(kms: KmsService, account: string): Operation[] {
  const keyId = (ctx: OperationContext) => parseInput(I.KeyId, ctx.body).KeyId;
  return [
    op("CreateKey", async (ctx) => {
      const input = parseInput(I.CreateKey, ctx.body);
      const key = await kms.createKey({
        description: input.Description,
        policy: input.Policy,
        keyUsage: input.KeyUsage,
        tags: input.Tags && Object.fromEntries(input.Tags.map((t) => [t.TagKey, t.TagValue])),
      });
      return { KeyMetadata: keyMetadata(key, account) };
    }),
    op("DescribeKey", async (ctx) => ({
      KeyMetadata: keyMetadata(await kms.describeKey(keyId(ctx)), account),
    })),
    op("ListKeys", async (ctx) => {
      const input = parseInput(I.ListKeys, ctx.body);
      const p = await kms.listKeys(input.Limit ?? 100, input.Marker);
      const { items, ...rest } = list(p.items, p.nextMarker);
      return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
    }),
    op("EnableKey", async (ctx) => {
      await kms.enableKey(keyId(ctx));
      return {};
    }),
    op("DisableKey", async (ctx) => {
      await kms.disableKey(keyId(ctx));
      return {};
    }),
    op("ScheduleKeyDeletion", async (ctx) => {
      const input = parseInput(I.ScheduleKeyDeletion, ctx.body);
      const k = await kms.scheduleKeyDeletion(input.KeyId, input.PendingWindowInDays ?? 30);
      return {
        KeyId: k.arn,
        DeletionDate: seconds(k.deletionDate!),
        KeyState: k.state,
        PendingWindowInDays: k.pendingWindowDays,
      };
    }),
    op("CancelKeyDeletion", async (ctx) => ({ KeyId: (await kms.cancelKeyDeletion(keyId(ctx))).arn })),
    op("GetKeyPolicy", async (ctx) => {
      const input = parseInput(I.GetKeyPolicy, ctx.body);
      return { Policy: await kms.getKeyPolicy(input.KeyId), PolicyName: "default" };
    }),
    op("PutKeyPolicy", async (ctx) => {
      const input = parseInput(I.PutKeyPolicy, ctx.body);
      await kms.putKeyPolicy(input.KeyId, input.Policy);
      return {};
    }),
  ];
}

/** Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
function aliasOperations(kms: KmsService): Operation[] {
  return [
    op("CreateAlias", async (ctx) => {
      const input = parseInput(I.Alias, ctx.body);
      await kms.putAlias(aliasName(input.AliasName), input.TargetKeyId, "create");
      return {};
    }),
    op("UpdateAlias", async (ctx) => {
      const input = parseInput(I.Alias, ctx.body);
      await kms.putAlias(aliasName(input.AliasName), input.TargetKeyId, "update");
      return {};
    }),
    op("DeleteAlias", async (ctx) => {
      await kms.deleteAlias(aliasName(parseInput(I.DeleteAlias, ctx.body).AliasName));
      return {};
    }),
    op("ListAliases", async (ctx) => {
      const input = parseInput(I.ListAliases, ctx.body);
      const p = await kms.listAliases({
        keyId: input.KeyId,
        limit: input.Limit ?? 100,
        marker: input.Marker,
      });
      const { items, ...rest } = list(p.items, p.nextMarker);
      const Aliases = items.map((a) => ({
        AliasName: a.aliasName,
        AliasArn: a.aliasArn,
        TargetKeyId: a.targetKeyId,
        CreationDate: seconds(a.createdAt),
        LastUpdatedDate: seconds(a.updatedAt),
      }));
      return { Aliases, ...rest };
    }),
  ];
}

/** Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant. */
function grantOperations(kms: KmsService): Operation[] {
  return [
    op("CreateGrant", async (ctx) => {
      const input = parseInput(I.CreateGrant, ctx.body);
      const g = await kms.createGrant(input.KeyId, {
        granteePrincipal: input.GranteePrincipal,
        retiringPrincipal: input.RetiringPrincipal,
        operations: input.Operations,
        constraints: input.Constraints as KmsGrant["constraints"],
        name: input.Name,
      });
      return { GrantToken: g.grantToken, GrantId: g.grantId };
    }),
    op("ListGrants", async (ctx) => {
      const input = parseInput(I.ListGrants, ctx.body);
      const p = await kms.listGrants(input.KeyId, {
        limit: input.Limit ?? 50,
        marker: input.Marker,
        grantId: input.GrantId,
        granteePrincipal: input.GranteePrincipal,
      });
      const { items, ...rest } = list(p.items, p.nextMarker);
      return { Grants: items.map(grantEntry), ...rest };
    }),
    op("RetireGrant", async (ctx) => {
      const input = parseInput(I.RetireGrant, ctx.body);
      if (input.GrantToken === undefined && (input.KeyId === undefined || input.GrantId === undefined)) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "RetireGrant needs a GrantToken, or both KeyId and GrantId.",
        );
      }
      await kms.retireGrant({ grantToken: input.GrantToken, keyId: input.KeyId, grantId: input.GrantId });
      return {};
    }),
    op("RevokeGrant", async (ctx) => {
      const input = parseInput(I.RevokeGrant, ctx.body);
      await kms.revokeGrant(input.KeyId, input.GrantId);
      return {};
    }),
  ];
}

/** Encrypt, Decrypt, GenerateDataKey (blobs are base64 on the wire). */
function cryptoOperations(kms: KmsService): Operation[] {
  return [
    op("Encrypt", async (ctx) => {
      const input = parseInput(I.Encrypt, ctx.body);
      const { blob, key } = await kms.encrypt(input.KeyId, b64(input.Plaintext), input.EncryptionContext);
      return {
        CiphertextBlob: blob.toString("base64"),
        KeyId: key.arn,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    }),
    op("Decrypt", async (ctx) => {
      const input = parseInput(I.Decrypt, ctx.body);
      const { plaintext, key } = await kms.decrypt(
        b64(input.CiphertextBlob),
        input.EncryptionContext,
        input.KeyId,
      );
      return {
        Plaintext: plaintext.toString("base64"),
        KeyId: key.arn,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    }),
    op("GenerateDataKey", async (ctx) => {
      const input = parseInput(I.GenerateDataKey, ctx.body);
      if ((input.NumberOfBytes === undefined) === (input.KeySpec === undefined)) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "Please specify either number of bytes or key spec.",
          { member: "NumberOfBytes" },
        );
      }
      const bytes = input.NumberOfBytes ?? (input.KeySpec === "AES_128" ? 16 : 32);
      const d = await kms.generateDataKey(input.KeyId, bytes, input.EncryptionContext);
      return {
        CiphertextBlob: d.blob.toString("base64"),
        Plaintext: d.plaintext.toString("base64"),
        KeyId: d.key.arn,
      };
    }),
  ];
}

/** The KMS operations (awsJson 1.1, POST /, `X-Amz-Target: TrentService.<Operation>`). */
export function kmsOperations(kms: KmsService, account: string): ServiceDefinition {
  return {
    service: "kms",
    operations: [
      ...keyOperations(kms, account),
      ...aliasOperations(kms),
      ...grantOperations(kms),
      ...cryptoOperations(kms),
    ],
  };
}
