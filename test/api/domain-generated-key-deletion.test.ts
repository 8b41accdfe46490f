import {
  CreateProfileCommand,
  CustomerProfilesClient,
  DeleteDomainCommand,
  GetDomainCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { DomainKeys } from "../../src/security/kms/domain-keys.ts";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { kmsTestServer } from "../helpers/kms-test-server.ts";
import { describeEachDialect } from "../helpers/test-database.ts";

const DAY = 86_400_000;

// Issue 16: the key CreateDomain generates for a domain (no DefaultEncryptionKey given) belongs to the
// domain: DeleteDomain schedules its deletion with KMS's default waiting period. A key the customer
// gave is left alone, and so is a generated key that another domain still uses, however it names it
// (key id, key ARN, alias, alias ARN) or wraps its data key under it.
describeEachDialect("DeleteDomain and the key generated for the domain", (dialect) => {
  const t = kmsTestServer(dialect);

  const createDomain = (DomainName: string, DefaultEncryptionKey?: string) =>
    t.createDomain(DomainName, { DefaultEncryptionKey });
  const deleteDomain = (DomainName: string) => t.profiles.send(new DeleteDomainCommand({ DomainName }));
  const describe = async (KeyId: string) =>
    (await t.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;

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
    await t.kms.send(new CancelKeyDeletionCommand({ KeyId: key }));
    expect((await describe(key)).KeyState).toBe("Disabled");
  });

  it("a domain whose generated key is already deleted is deleted all the same: nothing is left to retire", async () => {
    const key = await createDomain("gen-key-gone");
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
    expect(await t.server.kms.deleteDue(Date.now() + 8 * DAY)).toEqual([key]);
    await deleteDomain("gen-key-gone");
    const gone = await failure(t.profiles.send(new GetDomainCommand({ DomainName: "gen-key-gone" })));
    expect(gone.name).toBe("ResourceNotFoundException");
  });

  it("a key the customer gave stays Enabled after DeleteDomain", async () => {
    const given = (await t.kms.send(new CreateKeyCommand({ Description: "customer's own" }))).KeyMetadata!
      .Arn!;
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

  // The other domain names the key as it likes (CreateDomain keeps DefaultEncryptionKey as given): by an
  // alias, by its bare key id, by the alias's ARN. Each is the same key, so DeleteDomain leaves it alone.
  const sharedUnder = async (name: string, otherKeyName: (arn: string, keyId: string) => Promise<string>) => {
    const key = await createDomain(`${name}-a`);
    const keyId = (await describe(key)).KeyId!;
    const given = await otherKeyName(key, keyId);
    expect(await createDomain(`${name}-b`, given)).toBe(given);
    await deleteDomain(`${name}-a`);
    expect((await describe(key)).KeyState).toBe("Enabled");
    // The other domain still works: its data key unwraps under the key.
    const { ProfileId } = await t.profiles.send(
      new CreateProfileCommand({
        DomainName: `${name}-b`,
        FirstName: "Ada",
        EmailAddress: "ada@example.com",
      }),
    );
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName: `${name}-b`, KeyName: "_profileId", Values: [ProfileId!] }),
    );
    expect(found.Items?.[0]?.FirstName).toBe("Ada");
  };

  it("a generated key another domain was given through an alias stays Enabled after DeleteDomain", async () => {
    await sharedUnder("by-alias", async (arn) => {
      await t.kms.send(new CreateAliasCommand({ AliasName: "alias/shared-by-alias", TargetKeyId: arn }));
      return "alias/shared-by-alias";
    });
  });

  it("a generated key another domain was given by its bare key id stays Enabled after DeleteDomain", async () => {
    await sharedUnder("by-id", async (_arn, keyId) => keyId);
  });

  it("a generated key another domain was given by an alias ARN stays Enabled after DeleteDomain", async () => {
    await sharedUnder("by-alias-arn", async (arn) => {
      await t.kms.send(new CreateAliasCommand({ AliasName: "alias/shared-by-arn", TargetKeyId: arn }));
      return `${arn.slice(0, arn.indexOf(":key/"))}:alias/shared-by-arn`;
    });
  });

  it("a generated key wrapping another domain's data key stays, though the alias it was given through points elsewhere now", async () => {
    const other = (await t.kms.send(new CreateKeyCommand({ Description: "other" }))).KeyMetadata!.Arn!;
    const key = await createDomain("moved-a");
    await t.kms.send(new CreateAliasCommand({ AliasName: "alias/moved", TargetKeyId: key }));
    await createDomain("moved-b", "alias/moved");
    // moved-b's DefaultEncryptionKey now names `other`, but its data key is still wrapped under `key`.
    await t.kms.send(new UpdateAliasCommand({ AliasName: "alias/moved", TargetKeyId: other }));
    await deleteDomain("moved-a");
    expect((await describe(key)).KeyState).toBe("Enabled");
    await t.profiles.send(new CreateProfileCommand({ DomainName: "moved-b", FirstName: "Grace" }));
  });

  // DeleteDomain asks KMS to schedule the key's deletion for its caller (kms:ViaService = Customer
  // Profiles): a caller refused kms:ScheduleKeyDeletion deletes the domain, and the key stays.
  const asUser = async (name: string, ...statements: unknown[]) => {
    const creds = await userWithKey(
      t.clients.client(IAMClient, t.credentials),
      name,
      policyDocument({ Effect: "Allow", Action: "profile:*", Resource: "*" }, ...statements),
    );
    return t.clients.client(CustomerProfilesClient, creds);
  };
  const scheduleDecisions = async (user: string) =>
    (
      await t.server.iam.audit.list(t.server.database.db, {
        principalArn: `arn:aws:iam::000000000000:user/${user}`,
        action: "kms:ScheduleKeyDeletion",
        limit: 10,
      })
    ).events.map((e) => ({ resource: e.resource, decision: e.decision }));

  it("a caller denied kms:ScheduleKeyDeletion deletes the domain; the generated key stays Enabled, the Deny is in the audit trail", async () => {
    const key = await createDomain("deny-schedule");
    const c = await asUser(
      "no-key-deletion",
      { Effect: "Allow", Action: "kms:*", Resource: "*" },
      { Effect: "Deny", Action: "kms:ScheduleKeyDeletion", Resource: "*" },
    );
    await c.send(new DeleteDomainCommand({ DomainName: "deny-schedule" }));
    const gone = await failure(t.profiles.send(new GetDomainCommand({ DomainName: "deny-schedule" })));
    expect(gone.name).toBe("ResourceNotFoundException");
    expect((await describe(key)).KeyState).toBe("Enabled");
    expect(await scheduleDecisions("no-key-deletion")).toEqual([{ resource: key, decision: "ExplicitDeny" }]);
  });

  it("a caller with profile:* alone leaves the key too (ImplicitDeny); one allowed it via Customer Profiles has it scheduled", async () => {
    const kept = await createDomain("implicit-schedule");
    await (await asUser("profile-only")).send(new DeleteDomainCommand({ DomainName: "implicit-schedule" }));
    expect((await describe(kept)).KeyState).toBe("Enabled");
    expect(await scheduleDecisions("profile-only")).toEqual([{ resource: kept, decision: "ImplicitDeny" }]);

    const key = await createDomain("allow-schedule");
    const c = await asUser("key-deleter", {
      Effect: "Allow",
      Action: "kms:ScheduleKeyDeletion",
      Resource: key,
      Condition: { StringEquals: { "kms:ViaService": "profile.us-east-1.amazonaws.com" } },
    });
    await c.send(new DeleteDomainCommand({ DomainName: "allow-schedule" }));
    expect((await describe(key)).KeyState).toBe("PendingDeletion");
    expect(await scheduleDecisions("key-deleter")).toEqual([{ resource: key, decision: "Allow" }]);
  });

  // PostgreSQL, READ COMMITTED: a domain adopting the key (its row not committed yet) and DeleteDomain of
  // the domain it was generated for. The adopter holds the key's row FOR SHARE from its check to its
  // commit; DeleteDomain locks it FOR UPDATE before looking for uses, so it waits and then sees the use.
  // (SQLite's one writer runs them one after the other; the cases above cover that.)
  it.skipIf(dialect !== "postgres")(
    "DeleteDomain waits for a domain adopting the key to commit, then leaves the key Enabled",
    async () => {
      const key = await createDomain("race-a");
      const db = t.server.database.db;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let adopted!: () => void;
      const checked = new Promise<void>((r) => {
        adopted = r;
      });
      const adopter = db.transaction().execute(async (tx) => {
        await new DomainKeys(t.server.kms, null).checkIn(tx, key, "DefaultEncryptionKey");
        const now = Date.now();
        await tx
          .insertInto("domains")
          .values({
            domain_name: "race-b",
            default_expiration_days: 30,
            default_encryption_key: key,
            generated_encryption_key: key,
            dead_letter_queue_url: null,
            matching: null,
            rule_based_matching: null,
            data_store: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        adopted();
        await gate;
      });
      await checked;
      let settled = false;
      const deletion = deleteDomain("race-a").finally(() => {
        settled = true;
      });
      // Until DeleteDomain waits for the key's row (or, were the adopter holding no lock, has finished).
      const waiting = async () =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'
                and query ilike '%kms_keys%'`.execute(db)
          ).rows[0]?.n ?? 0,
        ) > 0;
      try {
        while (!settled && !(await waiting())) await new Promise((r) => setTimeout(r, 5));
        expect(settled).toBe(false);
      } finally {
        release();
        await adopter;
        await deletion;
      }
      expect((await describe(key)).KeyState).toBe("Enabled");
    },
  );

  it("the tag that marks a generated key cannot be put on a customer's key (aws: is reserved)", async () => {
    const e = await failure(
      t.kms.send(
        new CreateKeyCommand({ Tags: [{ TagKey: "aws:profile:generated-for-domain", TagValue: "x" }] }),
      ),
    );
    expect(e.name).toBe("TagException");
    expect(e.message).toContain("aws:profile:generated-for-domain");
  });
});
