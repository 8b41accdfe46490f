import { afterEach, expect, it } from "vitest";
import { failOn, InjectedFault, snapshotStore } from "./store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "./test-database.ts";

describeEachDialect("snapshotStore", (dialect) => {
  let h: TestDatabase | undefined;
  afterEach(async () => h?.destroy());
  it("changes when a row changes", async () => {
    h = await openTestDatabase(dialect);
    const a = await snapshotStore(h);
    expect(Object.keys(a)).toContain("resource_tags");
    await h.db
      .insertInto("resource_tags")
      .values({ resource_arn: "arn:x", tag_key: "k", tag_value: "v" } as never)
      .execute();
    expect(await snapshotStore(h)).not.toEqual(a);
  });
});

it("failOn throws on the nth call of one method only", () => {
  const o = failOn({ f: () => 1, g: () => 2 }, "f", 2);
  expect(o.f()).toBe(1);
  expect(() => o.f()).toThrow(InjectedFault);
  expect(o.g()).toBe(2);
});
