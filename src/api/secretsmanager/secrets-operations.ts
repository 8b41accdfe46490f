import { z } from "zod";
import type { SecretDetails, SecretService } from "../../services/secret-service.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";

const name = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\w/+=.@-]+$/, "must use letters, digits and /_+=.@-");
const secretId = z.string().min(1).max(2048);
const seconds = (ms: number) => ms / 1000;

const createInput = z.object({
  Name: name,
  SecretString: z.string().min(1).max(65536),
  Description: z.string().max(2048).optional(),
  KmsKeyId: z.string().max(2048).optional(),
  ClientRequestToken: z.string().min(32).max(64).optional(),
  Tags: z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) })).optional(),
});
const getInput = z.object({
  SecretId: secretId,
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});
const putInput = z.object({
  SecretId: secretId,
  SecretString: z.string().min(1).max(65536),
  ClientRequestToken: z.string().optional(),
});
const deleteInput = z.object({
  SecretId: secretId,
  ForceDeleteWithoutRecovery: z.boolean().optional(),
  RecoveryWindowInDays: z.number().int().min(7).max(30).optional(),
});

/** DescribeSecret's response. */
function description({ secret: s, tags }: SecretDetails) {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description ? { Description: s.description } : {}),
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    CreatedDate: seconds(s.createdAt),
    LastChangedDate: seconds(s.updatedAt),
    ...(s.deletedAt ? { DeletedDate: seconds(s.deletedAt) } : {}),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    VersionIdsToStages: { [s.versionId]: ["AWSCURRENT"] },
  };
}

const op = (opName: string, handler: (ctx: OperationContext) => Promise<unknown>): Operation => ({
  name: opName,
  method: "POST",
  path: "/",
  target: `secretsmanager.${opName}`,
  handler,
});

/** The Secrets Manager operations the AWS SDK uses for connector secrets (awsJson 1.1, POST /). */
export function secretsOperations(secrets: SecretService): ServiceDefinition {
  const operations = [
    op("CreateSecret", async (ctx) => {
      const input = parseInput(createInput, ctx.body);
      const s = await secrets.create({
        name: input.Name,
        secretString: input.SecretString,
        description: input.Description,
        kmsKeyId: input.KmsKeyId,
        tags: input.Tags ? Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) : undefined,
      });
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
    }),
    op("GetSecretValue", async (ctx) => {
      const { secret, secretString } = await secrets.value(parseInput(getInput, ctx.body).SecretId);
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
      const input = parseInput(putInput, ctx.body);
      const s = await secrets.put(input.SecretId, input.SecretString);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ["AWSCURRENT"] };
    }),
    op("DescribeSecret", async (ctx) =>
      description(await secrets.describe(parseInput(z.object({ SecretId: secretId }), ctx.body).SecretId)),
    ),
    op("DeleteSecret", async (ctx) => {
      const input = parseInput(deleteInput, ctx.body);
      const { secret, deletionDate } = await secrets.delete(input.SecretId, {
        force: input.ForceDeleteWithoutRecovery ?? false,
        recoveryWindowDays: input.RecoveryWindowInDays ?? 30,
      });
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(deletionDate) };
    }),
  ];
  return { service: "secretsmanager", operations };
}
