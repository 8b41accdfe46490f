import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  type IAMClient,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import type { Credentials } from "./sdk-clients.ts";

/** A policy document of the given statements. */
export const policyDocument = (...statements: unknown[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

/**
 * A new user (at `path` when given) with the given inline policy (none when undefined), made through
 * `iam`, and the credentials of its new access key.
 */
export async function userWithKey(
  iam: IAMClient,
  name: string,
  policy?: string,
  path?: string,
): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name, ...(path ? { Path: path } : {}) }));
  if (policy)
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy }));
  const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! };
}
