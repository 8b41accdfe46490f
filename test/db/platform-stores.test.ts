import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { AccessKeyStore, generateAccessKey } from "../../src/security/access-key-store.ts";
import { AesSecretBox } from "../../src/security/aes-secret-box.ts";
import { TagStore } from "../../src/services/tag-store.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

describeEachDialect("platform stores", (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
  });
  afterAll(async () => t.destroy());

  it("migrations created the platform tables", async () => {
    const names = (await t.db.introspection.getTables()).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(["access_keys", "resource_tags"]));
  });

  it("stores access keys sealed at rest and reads them back", async () => {
    const box = new AesSecretBox(Buffer.alloc(32, 7));
    const store = new AccessKeyStore(t.db, box, new ManualClock(1_700_000_000_000));
    const key = generateAccessKey("root", true);
    await store.put(key);
    const raw = await t.db.selectFrom("access_keys").selectAll().executeTakeFirstOrThrow();
    expect(raw.secret_ciphertext).not.toContain(key.secretAccessKey);
    expect(raw.created_at).toBe(1_700_000_000_000);
    const fresh = new AccessKeyStore(t.db, box, new ManualClock());
    expect(await fresh.get(key.accessKeyId)).toEqual(key);
    expect((await fresh.root())?.accessKeyId).toBe(key.accessKeyId);
    const otherBox = new AccessKeyStore(t.db, new AesSecretBox(Buffer.alloc(32, 8)), new ManualClock());
    await expect(otherBox.get(key.accessKeyId)).rejects.toThrow();
  });

  it("a new root key whose row cannot be written leaves the previous root in place (one transaction)", async () => {
    const box = new AesSecretBox(Buffer.alloc(32, 7));
    const store = new AccessKeyStore(t.db, box, new ManualClock(1_700_000_000_000));
    const first = generateAccessKey("root", true);
    await store.put(first);
    // A row the database refuses (no name): the old root's removal must not be kept without it.
    const refused = { ...generateAccessKey("root", true), name: null as unknown as string };
    await expect(store.put(refused)).rejects.toThrow();
    const fresh = new AccessKeyStore(t.db, box, new ManualClock());
    expect((await fresh.root())?.accessKeyId).toBe(first.accessKeyId);
    expect(await fresh.get(refused.accessKeyId)).toBeUndefined();
  });

  it("tags upsert, untag and clear per resource", async () => {
    const tags = new TagStore();
    await tags.tag(t.db, "arn:a", { k1: "v1", k2: "v2" });
    await tags.tag(t.db, "arn:a", { k2: "v2b" });
    await tags.tag(t.db, "arn:b", { k1: "other" });
    expect(await tags.list(t.db, "arn:a")).toEqual({ k1: "v1", k2: "v2b" });
    await tags.untag(t.db, "arn:a", ["k1"]);
    expect(await tags.list(t.db, "arn:a")).toEqual({ k2: "v2b" });
    await tags.clear(t.db, "arn:a");
    expect(await tags.list(t.db, "arn:a")).toEqual({});
    expect(await tags.list(t.db, "arn:b")).toEqual({ k1: "other" });
    await tags.tag(t.db, "arn:d", { k: "v" });
    await tags.tag(t.db, "arn:d/sub", { k: "v" });
    await tags.tag(t.db, "arn:dx", { k: "v" });
    await tags.clearTree(t.db, "arn:d");
    expect(await tags.list(t.db, "arn:d/sub")).toEqual({});
    expect(await tags.list(t.db, "arn:dx")).toEqual({ k: "v" });
  });
});
