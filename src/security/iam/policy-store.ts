import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { type IamArns, iamId } from "./iam-ids.ts";

export type PrincipalType = "user" | "role";

export interface ManagedPolicy {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  document: string;
  attachmentCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface InlinePolicy {
  policyName: string;
  document: string;
}

/** The single version every managed policy has (CreatePolicyVersion is not served). */
export const DEFAULT_VERSION_ID = "v1";

/**
 * Managed policies (one version each), their attachments to users and roles, and inline policies.
 * A managed policy's name is unique in the account whatever its path; `policy_key` is the lower-cased name.
 */
export class PolicyStore {
  constructor(
    private readonly arns: IamArns,
    private readonly clock: Clock,
  ) {}

  async create(
    q: Queryable,
    p: { policyName: string; path: string; document: string; description?: string },
  ): Promise<ManagedPolicy> {
    const key = p.policyName.toLowerCase();
    if (
      await q.selectFrom("iam_policies").select("policy_key").where("policy_key", "=", key).executeTakeFirst()
    ) {
      throw new ProfileflowError(
        "ALREADY_EXISTS",
        `A policy called ${p.policyName} already exists. Duplicate names are not allowed.`,
      );
    }
    const now = this.clock.now();
    const row = {
      policy_key: key,
      policy_name: p.policyName,
      policy_id: iamId("ANPA"),
      path: p.path,
      description: p.description ?? null,
      document: p.document,
      created_at: now,
      updated_at: now,
    };
    await q.insertInto("iam_policies").values(row).execute();
    return this.policy(row, 0);
  }

  /** The policy this ARN names (the ARN must match exactly), or NoSuchEntity. */
  async get(q: Queryable, arn: string): Promise<ManagedPolicy> {
    const name = arn.startsWith(`arn:aws:iam::${this.arns.accountId}:policy/`)
      ? arn.slice(arn.lastIndexOf("/") + 1)
      : "";
    const row = await q
      .selectFrom("iam_policies")
      .selectAll()
      .where("policy_key", "=", name.toLowerCase())
      .executeTakeFirst();
    if (!row || this.arns.policy(row.path, row.policy_name) !== arn) {
      throw new ProfileflowError("RESOURCE_NOT_FOUND", `Policy ${arn} does not exist or is not attachable.`);
    }
    return this.policy(row, await this.attachmentCount(q, row.policy_key));
  }

  async list(q: Queryable, o: { pathPrefix?: string; onlyAttached?: boolean }): Promise<ManagedPolicy[]> {
    const rows = await q.selectFrom("iam_policies").selectAll().orderBy("policy_key").execute();
    const out: ManagedPolicy[] = [];
    for (const r of rows) {
      if (!r.path.startsWith(o.pathPrefix ?? "/")) continue;
      const n = await this.attachmentCount(q, r.policy_key);
      if (o.onlyAttached && n === 0) continue;
      out.push(this.policy(r, n));
    }
    return out;
  }

  /** Deletes a policy attached to nothing (IAM's DeleteConflict otherwise). */
  async delete(q: Queryable, arn: string): Promise<void> {
    const p = await this.get(q, arn);
    if (p.attachmentCount > 0) {
      throw new ProfileflowError("CONFLICT", "Cannot delete a policy attached to entities.");
    }
    await q.deleteFrom("iam_policies").where("policy_key", "=", p.policyName.toLowerCase()).execute();
  }

  async attach(q: Queryable, type: PrincipalType, principalKey: string, arn: string): Promise<void> {
    const p = await this.get(q, arn);
    await q
      .insertInto("iam_attachments")
      .values({ principal_type: type, principal_key: principalKey, policy_key: p.policyName.toLowerCase() })
      .onConflict((oc) => oc.columns(["principal_type", "principal_key", "policy_key"]).doNothing())
      .execute();
  }

  async detach(q: Queryable, type: PrincipalType, principalKey: string, arn: string): Promise<void> {
    const p = await this.get(q, arn);
    const r = await q
      .deleteFrom("iam_attachments")
      .where("principal_type", "=", type)
      .where("principal_key", "=", principalKey)
      .where("policy_key", "=", p.policyName.toLowerCase())
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw new ProfileflowError("RESOURCE_NOT_FOUND", `Policy ${arn} was not found.`);
    }
  }

  async attached(q: Queryable, type: PrincipalType, principalKey: string): Promise<ManagedPolicy[]> {
    const rows = await q
      .selectFrom("iam_attachments as a")
      .innerJoin("iam_policies as p", "p.policy_key", "a.policy_key")
      .selectAll("p")
      .where("a.principal_type", "=", type)
      .where("a.principal_key", "=", principalKey)
      .orderBy("p.policy_key")
      .execute();
    return rows.map((r) => this.policy(r, 0));
  }

  async putInline(q: Queryable, type: PrincipalType, principalKey: string, p: InlinePolicy): Promise<void> {
    const key = p.policyName.toLowerCase();
    await q
      .insertInto("iam_inline_policies")
      .values({
        principal_type: type,
        principal_key: principalKey,
        policy_key: key,
        policy_name: p.policyName,
        document: p.document,
      })
      .onConflict((oc) =>
        oc
          .columns(["principal_type", "principal_key", "policy_key"])
          .doUpdateSet({ policy_name: p.policyName, document: p.document }),
      )
      .execute();
  }

  async getInline(
    q: Queryable,
    type: PrincipalType,
    principalKey: string,
    policyName: string,
  ): Promise<InlinePolicy> {
    const row = await q
      .selectFrom("iam_inline_policies")
      .select(["policy_name", "document"])
      .where("principal_type", "=", type)
      .where("principal_key", "=", principalKey)
      .where("policy_key", "=", policyName.toLowerCase())
      .executeTakeFirst();
    if (!row) throw noSuchInline(type, policyName);
    return { policyName: row.policy_name, document: row.document };
  }

  async deleteInline(
    q: Queryable,
    type: PrincipalType,
    principalKey: string,
    policyName: string,
  ): Promise<void> {
    const r = await q
      .deleteFrom("iam_inline_policies")
      .where("principal_type", "=", type)
      .where("principal_key", "=", principalKey)
      .where("policy_key", "=", policyName.toLowerCase())
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw noSuchInline(type, policyName);
  }

  async inline(q: Queryable, type: PrincipalType, principalKey: string): Promise<InlinePolicy[]> {
    const rows = await q
      .selectFrom("iam_inline_policies")
      .select(["policy_name", "document"])
      .where("principal_type", "=", type)
      .where("principal_key", "=", principalKey)
      .orderBy("policy_key")
      .execute();
    return rows.map((r) => ({ policyName: r.policy_name, document: r.document }));
  }

  private async attachmentCount(q: Queryable, policyKey: string): Promise<number> {
    const r = await q
      .selectFrom("iam_attachments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("policy_key", "=", policyKey)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private policy(
    r: {
      policy_name: string;
      policy_id: string;
      path: string;
      description: string | null;
      document: string;
      created_at: number;
      updated_at: number;
    },
    attachmentCount: number,
  ): ManagedPolicy {
    const p: ManagedPolicy = {
      policyName: r.policy_name,
      policyId: r.policy_id,
      arn: this.arns.policy(r.path, r.policy_name),
      path: r.path,
      document: r.document,
      attachmentCount,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
    if (r.description !== null) p.description = r.description;
    return p;
  }
}

function noSuchInline(type: PrincipalType, policyName: string): ProfileflowError {
  return new ProfileflowError(
    "RESOURCE_NOT_FOUND",
    `The ${type} policy with name ${policyName} cannot be found.`,
  );
}
