import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { AccessKeyStore, generateAccessKey } from "../../src/security/access-key-store.ts";
import { AesSecretBox } from "../../src/security/aes-secret-box.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Issue 16: "The bootstrap key is the account's root; the README says how to rotate it, and a replaced
// root key stops working."
describeEachDialect("rotating the root key", (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
  });
  afterAll(async () => t.destroy());

  it("a new root key replaces the old one, which is then unknown (to this store and to a fresh one)", async () => {
    const box = new AesSecretBox(Buffer.alloc(32, 7));
    const store = new AccessKeyStore(t.db, box, new ManualClock());
    const first = generateAccessKey("root", true);
    await store.put(first);
    expect((await store.get(first.accessKeyId))?.secretAccessKey).toBe(first.secretAccessKey);
    const second = generateAccessKey("root", true);
    await store.put(second);
    expect(await store.get(first.accessKeyId)).toBeUndefined();
    const fresh = new AccessKeyStore(t.db, box, new ManualClock());
    expect(await fresh.get(first.accessKeyId)).toBeUndefined();
    expect((await fresh.root())?.accessKeyId).toBe(second.accessKeyId);
    // Putting the same root again (a restart with the same environment) keeps it.
    await store.put(second);
    expect((await fresh.get(second.accessKeyId))?.secretAccessKey).toBe(second.secretAccessKey);
  });
});
