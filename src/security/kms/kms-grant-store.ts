import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { KmsGrantsTable } from "../../db/schema/kms.ts";
import { grantConstraintsColumn, grantOperationsColumn } from "./kms-grant-columns.ts";

/** Constraints of a grant: the encryption context a cryptographic operation must carry. */
export interface GrantConstraints {
  EncryptionContextSubset?: Record<string, string>;
  EncryptionContextEquals?: Record<string, string>;
}

/** A grant: the grantee may perform `operations` with the key (ListGrants' GrantListEntry, less the key). */
export interface KmsGrant {
  grantId: string;
  keyId: string;
  grantToken: string;
  name: string | undefined;
  granteePrincipal: string;
  retiringPrincipal: string | undefined;
  operations: string[];
  constraints: GrantConstraints | undefined;
  issuingAccount: string;
  createdAt: number;
}

/** KMS grants (CreateGrant, ListGrants, RetireGrant, RevokeGrant, and the authorizer's grant check). */
export class KmsGrantStore {
  constructor(private readonly clock: Clock) {}

  async create(q: Queryable, o: Omit<KmsGrant, "grantId" | "grantToken" | "createdAt">): Promise<KmsGrant> {
    const grant: KmsGrant = {
      ...o,
      grantId: randomBytes(32).toString("hex"),
      grantToken: randomBytes(48).toString("base64url"),
      createdAt: this.clock.now(),
    };
    await q.insertInto("kms_grants").values(toRow(grant)).execute();
    return grant;
  }

  /** A key's grants in id order after `marker`, one more than `limit`; optionally one grant or one grantee's. */
  async list(
    q: Queryable,
    keyId: string,
    o: { limit: number; marker?: string; grantId?: string; granteePrincipal?: string },
  ): Promise<KmsGrant[]> {
    let query = q.selectFrom("kms_grants").selectAll().where("key_id", "=", keyId).orderBy("grant_id");
    if (o.marker) query = query.where("grant_id", ">", o.marker);
    if (o.grantId) query = query.where("grant_id", "=", o.grantId);
    if (o.granteePrincipal) query = query.where("grantee_principal", "=", o.granteePrincipal);
    return (await query.limit(o.limit + 1).execute()).map(toGrant);
  }

  async byToken(q: Queryable, token: string): Promise<KmsGrant | undefined> {
    const row = await q
      .selectFrom("kms_grants")
      .selectAll()
      .where("grant_token", "=", token)
      .executeTakeFirst();
    return row && toGrant(row);
  }

  async byId(q: Queryable, keyId: string, grantId: string): Promise<KmsGrant | undefined> {
    const row = await q
      .selectFrom("kms_grants")
      .selectAll()
      .where("key_id", "=", keyId)
      .where("grant_id", "=", grantId)
      .executeTakeFirst();
    return row && toGrant(row);
  }

  async delete(q: Queryable, grantId: string): Promise<void> {
    await q.deleteFrom("kms_grants").where("grant_id", "=", grantId).execute();
  }

  /** The grants of `keyId` whose grantee is one of `principals`. */
  async granted(q: Queryable, keyId: string, principals: readonly string[]): Promise<KmsGrant[]> {
    if (principals.length === 0) return [];
    const rows = await q
      .selectFrom("kms_grants")
      .selectAll()
      .where("key_id", "=", keyId)
      .where("grantee_principal", "in", principals)
      .execute();
    return rows.map(toGrant);
  }
}

function toRow(g: KmsGrant): KmsGrantsTable {
  return {
    grant_id: g.grantId,
    key_id: g.keyId,
    grant_token: g.grantToken,
    name: g.name ?? null,
    grantee_principal: g.granteePrincipal,
    retiring_principal: g.retiringPrincipal ?? null,
    operations: grantOperationsColumn.stringify(g.operations),
    constraints: g.constraints ? grantConstraintsColumn.stringify(g.constraints) : null,
    issuing_account: g.issuingAccount,
    created_at: g.createdAt,
  };
}

function toGrant(r: KmsGrantsTable): KmsGrant {
  return {
    grantId: r.grant_id,
    keyId: r.key_id,
    grantToken: r.grant_token,
    name: r.name ?? undefined,
    granteePrincipal: r.grantee_principal,
    retiringPrincipal: r.retiring_principal ?? undefined,
    operations: grantOperationsColumn.parse(r.operations),
    constraints: r.constraints ? grantConstraintsColumn.parse(r.constraints) : undefined,
    issuingAccount: r.issuing_account,
    createdAt: r.created_at,
  };
}
