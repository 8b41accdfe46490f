import { UpdateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from "@aws-sdk/client-kms";
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
    const keys = new DomainKeys(t.server.kms);
    const decrypt = vi.spyOn(t.server.kms, "decryptIn");
    const usable = vi.spyOn(t.server.kms, "usableIn");

    const a = await sealed(keys, domain);
    const b = await sealed(keys, domain);
    const c = await sealed(keys, domain);
    expect(decrypt).toHaveBeenCalledTimes(1);
    // Every call after the first checked the key's state.
    expect(usable.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(c.boxes.at("profile_objects.payload").open(a.text)).toBe("hello");
    expect(a.boxes.at("profile_objects.payload").open(b.text)).toBe("hello");
    expect(a.boxes.index("_email", "ada@example.com")).toBe(c.boxes.index("_email", "ada@example.com"));

    await t.kms.send(new DisableKeyCommand({ KeyId: first }));
    await expect(keys.boxesIn(t.server.database.db, domain)).rejects.toMatchObject({ code: "KMS_DISABLED" });
    await t.kms.send(new EnableKeyCommand({ KeyId: first }));
    await sealed(keys, domain);
    expect(decrypt).toHaveBeenCalledTimes(1);

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
});
