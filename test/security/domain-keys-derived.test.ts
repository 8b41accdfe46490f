import {
  CreateDomainCommand,
  DeleteDomainCommand,
  PutProfileObjectCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { afterEach, expect, it, vi } from "vitest";
import { DomainKeys } from "../../src/security/kms/domain-keys.ts";
import { kmsTestServer } from "../helpers/kms-test-server.ts";
import { describeEachDialect } from "../helpers/test-database.ts";

/**
 * A domain's data key is unwrapped once per wrapped key, not per request (a search paid a KMS Decrypt
 * and two key derivations each time); the KMS key's state is still read every time.
 */
describeEachDialect("DomainKeys keeps a domain's derived keys", (dialect) => {
  const t = kmsTestServer(dialect);
  let n = 0;
  afterEach(() => vi.restoreAllMocks());

  const sealed = async (keys: DomainKeys, domain: string) => {
    const boxes = await keys.boxesIn(t.server.database.db, domain);
    return { boxes, text: boxes.at("profile_objects.payload").seal("hello") };
  };

  it("unwraps once while the wrapped key stays; refuses while the KMS key is disabled; unwraps again after a re-wrap", async () => {
    const domain = `derived-${++n}`;
    const first = await t.createDomain(domain, { DefaultExpirationDays: 30 });
    const keys = new DomainKeys(t.server.kms, null);
    const decrypt = vi.spyOn(t.server.kms, "decryptIn");
    const usable = vi.spyOn(t.server.kms, "usableIn");

    const a = await sealed(keys, domain);
    const b = await sealed(keys, domain);
    const c = await sealed(keys, domain);
    expect(decrypt).toHaveBeenCalledTimes(1);
    // Only the unwrap's Decrypt read the key on its own: the calls after it read the key's state with the
    // wrapped key, in the same statement (that it is read on every call shows in the refusal right after).
    expect(usable).toHaveBeenCalledTimes(1);
    expect(c.boxes.at("profile_objects.payload").open(a.text)).toBe("hello");
    expect(a.boxes.at("profile_objects.payload").open(b.text)).toBe("hello");
    expect(a.boxes.index("_email", "ada@example.com")).toBe(c.boxes.index("_email", "ada@example.com"));

    await t.kms.send(new DisableKeyCommand({ KeyId: first }));
    await expect(keys.boxesIn(t.server.database.db, domain)).rejects.toMatchObject({ code: "KMS_DISABLED" });
    await t.kms.send(new EnableKeyCommand({ KeyId: first }));
    // A refused key drops what was derived from it: enabled again, it is unwrapped again, once.
    await sealed(keys, domain);
    await sealed(keys, domain);
    expect(decrypt).toHaveBeenCalledTimes(2);

    // Another key: the data key is re-wrapped, so it is unwrapped again (under the new key), and the
    // first key's state no longer matters.
    const second = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await t.profiles.send(new UpdateDomainCommand({ DomainName: domain, DefaultEncryptionKey: second }));
    const calls = decrypt.mock.calls.length;
    await t.kms.send(new DisableKeyCommand({ KeyId: first }));
    const d = await sealed(keys, domain);
    expect(decrypt).toHaveBeenCalledTimes(calls + 1);
    expect(d.boxes.at("profile_objects.payload").open(a.text)).toBe("hello");
    await t.kms.send(new DisableKeyCommand({ KeyId: second }));
    await expect(keys.boxesIn(t.server.database.db, domain)).rejects.toMatchObject({ code: "KMS_DISABLED" });
  });

  it("a key deleted while its unwrapped keys are kept: the domain's data is gone (KMS_INVALID_STATE, Deleted)", async () => {
    const domain = `derived-${++n}`;
    const keyArn = await t.createDomain(domain, { DefaultExpirationDays: 30 });
    const keys = new DomainKeys(t.server.kms, null);
    await sealed(keys, domain);
    await sealed(keys, domain);
    // Scheduled and deleted with no read in between: the next call finds the key gone, not pending.
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    await t.server.kms.deleteDue(Date.now() + 8 * 86_400_000);
    await expect(keys.boxesIn(t.server.database.db, domain)).rejects.toMatchObject({
      code: "KMS_INVALID_STATE",
      details: { keyArn, state: "Deleted" },
    });
  });

  /** The sealed payload the server stored for the domain's one object. */
  const storedPayload = async (domain: string) =>
    (
      await t.server.database.db
        .selectFrom("profile_objects")
        .select("payload")
        .where("domain_name", "=", domain)
        .executeTakeFirstOrThrow()
    ).payload;
  const putContact = (DomainName: string, Id: string) =>
    t.profiles.send(
      new PutProfileObjectCommand({
        DomainName,
        ObjectTypeName: "Salesforce-Contact",
        Object: JSON.stringify({ Id, FirstName: "Ada" }),
      }),
    );

  it("kept keys open what the server sealed; a domain deleted and made again under its name is unwrapped anew", async () => {
    const domain = `derived-${++n}`;
    await t.createDomain(domain, { DefaultExpirationDays: 30 });
    await putContact(domain, "003K1");
    const keys = new DomainKeys(t.server.kms, null);
    const decrypt = vi.spyOn(t.server.kms, "decryptIn");
    const db = t.server.database.db;
    await keys.boxesIn(db, domain);
    const kept = await keys.boxesIn(db, domain);
    expect(decrypt).toHaveBeenCalledTimes(1);
    expect(JSON.parse(kept.at("profile_objects.payload").open(await storedPayload(domain))).Id).toBe("003K1");

    // DeleteDomain drops the kept keys (its transaction is rolled back here, so nothing else changes).
    const beforeDelete = decrypt.mock.calls.length;
    const rolledBack = new Error("rolled back");
    await expect(
      db.transaction().execute(async (tx) => {
        await keys.deleteForDomainIn(tx, domain);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    await keys.boxesIn(db, domain);
    expect(decrypt).toHaveBeenCalledTimes(beforeDelete + 1);

    await t.profiles.send(new DeleteDomainCommand({ DomainName: domain }));
    await t.profiles.send(new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 30 }));
    await putContact(domain, "003K2");
    const before = decrypt.mock.calls.length; // the server's own unwrapping of the new domain's key
    const again = await keys.boxesIn(db, domain);
    expect(decrypt).toHaveBeenCalledTimes(before + 1);
    expect(JSON.parse(again.at("profile_objects.payload").open(await storedPayload(domain))).Id).toBe(
      "003K2",
    );
    // The first domain's keys do not open the second's values.
    const second = await storedPayload(domain);
    expect(() => kept.at("profile_objects.payload").open(second)).toThrow();
  });
});
