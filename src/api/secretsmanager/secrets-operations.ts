import { z } from "zod";
import type { SecretStore, StoredSecret } from "../../security/secret-store.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import type { TagStore } from "../tags/tag-store.ts";
import { parseInput } from "../validate.ts";

const name = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\w/+=.@-]+$/, "must use letters, digits and /_+=.@-");
const secretId = z.string().min(1).max(2048);
const seconds = (ms: number) => ms / 1000;

/** The Secrets Manager operations the AWS SDK uses for connector secrets (awsJson 1.1, POST /). */
export function secretsOperations(store: SecretStore, tags: TagStore): ServiceDefinition {
  const op = (opName: string, handler: (ctx: OperationContext) => Promise<unknown>): Operation => ({
    name: opName,
    method: "POST",
    path: "/",
    target: `secretsmanager.${opName}`,
    handler,
  });
  const describe = async (s: StoredSecret) => ({
    ARN: s.arn,
    Name: s.name,
    ...(s.description ? { Description: s.description } : {}),
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    CreatedDate: seconds(s.createdAt),
    LastChangedDate: seconds(s.updatedAt),
    ...(s.deletedAt ? { DeletedDate: seconds(s.deletedAt) } : {}),
    Tags: Object.entries(await tags.list(s.arn)).map(([Key, Value]) => ({ Key, Value })),
    VersionIdsToStages: { [s.versionId]: ["AWSCURRENT"] },
  });
  return {
    service: "secretsmanager",
    operations: [
      op("CreateSecret", async (ctx) => {
        const input = parseInput(
          z.object({
            Name: name,
            SecretString: z.string().min(1).max(65536),
            Description: z.string().max(2048).optional(),
            KmsKeyId: z.string().max(2048).optional(),
            ClientRequestToken: z.string().min(32).max(64).optional(),
            Tags: z
              .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
              .optional(),
          }),
          ctx.body,
        );
        const s = await store.create({
          name: input.Name,
          secretString: input.SecretString,
          description: input.Description,
          kmsKeyId: input.KmsKeyId,
        });
        if (input.Tags?.length)
          await tags.tag(s.arn, Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])));
        return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
      }),
      op("GetSecretValue", async (ctx) => {
        const input = parseInput(
          z.object({
            SecretId: secretId,
            VersionId: z.string().optional(),
            VersionStage: z.string().optional(),
          }),
          ctx.body,
        );
        const { secret, secretString } = await store.value(input.SecretId);
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secretString,
          VersionStages: ["AWSCURRENT"],
          CreatedDate: seconds(secret.updatedAt),
        };
      }),
      op("PutSecretValue", async (ctx) => {
        const input = parseInput(
          z.object({
            SecretId: secretId,
            SecretString: z.string().min(1).max(65536),
            ClientRequestToken: z.string().optional(),
          }),
          ctx.body,
        );
        const s = await store.put(input.SecretId, input.SecretString);
        return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ["AWSCURRENT"] };
      }),
      op("DescribeSecret", async (ctx) => {
        const input = parseInput(z.object({ SecretId: secretId }), ctx.body);
        const s = await store.find(input.SecretId);
        if (!s) return store.value(input.SecretId); // throws the not-found error in AWS's words
        return describe(s);
      }),
      op("DeleteSecret", async (ctx) => {
        const input = parseInput(
          z.object({
            SecretId: secretId,
            ForceDeleteWithoutRecovery: z.boolean().optional(),
            RecoveryWindowInDays: z.number().int().min(7).max(30).optional(),
          }),
          ctx.body,
        );
        const { secret, deletionDate } = await store.delete(input.SecretId, {
          force: input.ForceDeleteWithoutRecovery ?? false,
          recoveryWindowDays: input.RecoveryWindowInDays ?? 30,
        });
        if (input.ForceDeleteWithoutRecovery) await tags.clear(secret.arn);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(deletionDate) };
      }),
    ],
  };
}
