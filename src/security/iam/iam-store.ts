import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { SecretBox } from "../../core/secret-box.ts";
import type { Queryable } from "../../db/queryable.ts";
import { IamArns, iamId, secretAccessKey } from "./iam-ids.ts";

export interface IamUser {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createdAt: number;
}

export interface IamRole {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  createdAt: number;
}

export interface IamAccessKey {
  userName: string;
  accessKeyId: string;
  status: "Active" | "Inactive";
  createdAt: number;
}

/** The quota IAM applies: "Access keys assigned to an IAM user: 2". */
export const ACCESS_KEYS_PER_USER = 2;

/**
 * Users, their access keys, and roles. Every method takes the Queryable to run on first, so a
 * multi-step change runs in the caller's transaction. Names are unique without regard to case.
 */
export class IamStore {
  readonly arns: IamArns;

  constructor(
    accountId: string,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {
    this.arns = new IamArns(accountId);
  }

  async createUser(q: Queryable, userName: string, path: string): Promise<IamUser> {
    if (await this.findUser(q, userName)) {
      throw new ProfileflowError("ALREADY_EXISTS", `User with name ${userName} already exists.`);
    }
    const row = {
      user_key: userName.toLowerCase(),
      user_name: userName,
      user_id: iamId("AIDA"),
      path,
      created_at: this.clock.now(),
    };
    await q.insertInto("iam_users").values(row).execute();
    return this.user(row);
  }

  async findUser(q: Queryable, userName: string): Promise<IamUser | undefined> {
    const row = await q
      .selectFrom("iam_users")
      .selectAll()
      .where("user_key", "=", userName.toLowerCase())
      .executeTakeFirst();
    return row && this.user(row);
  }

  async getUser(q: Queryable, userName: string): Promise<IamUser> {
    const user = await this.findUser(q, userName);
    if (!user)
      throw new ProfileflowError("RESOURCE_NOT_FOUND", `The user with name ${userName} cannot be found.`);
    return user;
  }

  async listUsers(q: Queryable, pathPrefix = "/"): Promise<IamUser[]> {
    const rows = await q.selectFrom("iam_users").selectAll().orderBy("user_key").execute();
    return rows.filter((r) => r.path.startsWith(pathPrefix)).map((r) => this.user(r));
  }

  /** Deletes a user that holds no access keys and no policies (IAM's DeleteConflict otherwise). */
  async deleteUser(q: Queryable, userName: string): Promise<void> {
    const user = await this.getUser(q, userName);
    const key = user.userName.toLowerCase();
    const keys = await q
      .selectFrom("access_keys")
      .select("access_key_id")
      .where("user_name", "=", user.userName)
      .executeTakeFirst();
    if (keys) throw conflict("Cannot delete entity, must delete access keys first.");
    if (await this.hasPolicies(q, "user", key))
      throw conflict("Cannot delete entity, must delete policies first.");
    await q.deleteFrom("iam_users").where("user_key", "=", key).execute();
  }

  /** A new key for `userName` (at most two per user); the secret is returned once and kept sealed. */
  async createAccessKey(q: Queryable, userName: string): Promise<IamAccessKey & { secretAccessKey: string }> {
    const user = await this.getUser(q, userName);
    const count = await q
      .selectFrom("access_keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_name", "=", user.userName)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= ACCESS_KEYS_PER_USER) {
      throw new ProfileflowError(
        "QUOTA_EXCEEDED",
        `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}.`,
      );
    }
    const now = this.clock.now();
    const key = {
      userName: user.userName,
      accessKeyId: iamId("AKIA"),
      status: "Active" as const,
      createdAt: now,
    };
    const secret = secretAccessKey();
    await q
      .insertInto("access_keys")
      .values({
        access_key_id: key.accessKeyId,
        secret_ciphertext: this.box.seal(secret),
        name: user.userName,
        is_root: 0,
        user_name: user.userName,
        status: "Active",
        created_at: now,
        updated_at: now,
      })
      .execute();
    return { ...key, secretAccessKey: secret };
  }

  async listAccessKeys(q: Queryable, userName: string): Promise<IamAccessKey[]> {
    const user = await this.getUser(q, userName);
    const rows = await q
      .selectFrom("access_keys")
      .select(["access_key_id", "status", "created_at"])
      .where("user_name", "=", user.userName)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({
      userName: user.userName,
      accessKeyId: r.access_key_id,
      status: r.status === "Inactive" ? "Inactive" : "Active",
      createdAt: Number(r.created_at),
    }));
  }

  async updateAccessKey(
    q: Queryable,
    userName: string,
    accessKeyId: string,
    status: "Active" | "Inactive",
  ): Promise<void> {
    const user = await this.getUser(q, userName);
    const r = await q
      .updateTable("access_keys")
      .set({ status, updated_at: this.clock.now() })
      .where("access_key_id", "=", accessKeyId)
      .where("user_name", "=", user.userName)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw noSuchKey(accessKeyId);
  }

  async deleteAccessKey(q: Queryable, userName: string, accessKeyId: string): Promise<void> {
    const user = await this.getUser(q, userName);
    const r = await q
      .deleteFrom("access_keys")
      .where("access_key_id", "=", accessKeyId)
      .where("user_name", "=", user.userName)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw noSuchKey(accessKeyId);
  }

  async createRole(
    q: Queryable,
    r: {
      roleName: string;
      path: string;
      trustPolicy: string;
      description?: string;
      maxSessionDuration: number;
    },
  ): Promise<IamRole> {
    if (await this.findRole(q, r.roleName)) {
      throw new ProfileflowError("ALREADY_EXISTS", `Role with name ${r.roleName} already exists.`);
    }
    const row = {
      role_key: r.roleName.toLowerCase(),
      role_name: r.roleName,
      role_id: iamId("AROA"),
      path: r.path,
      trust_policy: r.trustPolicy,
      description: r.description ?? null,
      max_session_duration: r.maxSessionDuration,
      created_at: this.clock.now(),
    };
    await q.insertInto("iam_roles").values(row).execute();
    return this.role(row);
  }

  async findRole(q: Queryable, roleName: string): Promise<IamRole | undefined> {
    const row = await q
      .selectFrom("iam_roles")
      .selectAll()
      .where("role_key", "=", roleName.toLowerCase())
      .executeTakeFirst();
    return row && this.role(row);
  }

  async getRole(q: Queryable, roleName: string): Promise<IamRole> {
    const role = await this.findRole(q, roleName);
    if (!role)
      throw new ProfileflowError("RESOURCE_NOT_FOUND", `The role with name ${roleName} cannot be found.`);
    return role;
  }

  async listRoles(q: Queryable, pathPrefix = "/"): Promise<IamRole[]> {
    const rows = await q.selectFrom("iam_roles").selectAll().orderBy("role_key").execute();
    return rows.filter((r) => r.path.startsWith(pathPrefix)).map((r) => this.role(r));
  }

  /** UpdateAssumeRolePolicy: the role's trust policy replaced (NoSuchEntity when there is no such role). */
  async updateTrustPolicy(q: Queryable, roleName: string, trustPolicy: string): Promise<void> {
    const role = await this.getRole(q, roleName);
    await q
      .updateTable("iam_roles")
      .set({ trust_policy: trustPolicy })
      .where("role_key", "=", role.roleName.toLowerCase())
      .execute();
  }

  /** Deletes a role with no policies attached or embedded (IAM's DeleteConflict otherwise). */
  async deleteRole(q: Queryable, roleName: string): Promise<void> {
    const role = await this.getRole(q, roleName);
    const key = role.roleName.toLowerCase();
    if (await this.hasPolicies(q, "role", key))
      throw conflict("Cannot delete entity, must detach all policies first.");
    await q.deleteFrom("iam_roles").where("role_key", "=", key).execute();
    await q
      .deleteFrom("iam_sessions")
      .where("principal_type", "=", "role")
      .where("principal_key", "=", key)
      .execute();
  }

  private async hasPolicies(q: Queryable, type: "user" | "role", key: string): Promise<boolean> {
    const attached = await q
      .selectFrom("iam_attachments")
      .select("policy_key")
      .where("principal_type", "=", type)
      .where("principal_key", "=", key)
      .executeTakeFirst();
    const inline = await q
      .selectFrom("iam_inline_policies")
      .select("policy_key")
      .where("principal_type", "=", type)
      .where("principal_key", "=", key)
      .executeTakeFirst();
    return attached !== undefined || inline !== undefined;
  }

  private user(r: { user_name: string; user_id: string; path: string; created_at: number }): IamUser {
    return {
      userName: r.user_name,
      userId: r.user_id,
      path: r.path,
      arn: this.arns.user(r.path, r.user_name),
      createdAt: Number(r.created_at),
    };
  }

  private role(r: {
    role_name: string;
    role_id: string;
    path: string;
    trust_policy: string;
    description: string | null;
    max_session_duration: number;
    created_at: number;
  }): IamRole {
    const role: IamRole = {
      roleName: r.role_name,
      roleId: r.role_id,
      path: r.path,
      arn: this.arns.role(r.path, r.role_name),
      trustPolicy: r.trust_policy,
      maxSessionDuration: Number(r.max_session_duration),
      createdAt: Number(r.created_at),
    };
    if (r.description !== null) role.description = r.description;
    return role;
  }
}

function conflict(message: string): ProfileflowError {
  return new ProfileflowError("CONFLICT", message);
}

function noSuchKey(accessKeyId: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `The Access Key with id ${accessKeyId} cannot be found.`);
}
