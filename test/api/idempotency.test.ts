import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { Idempotency } from "../../src/api/idempotency.ts";
import { loadConfig } from "../../src/config/config.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { ProfileflowError } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { composeServer } from "../../src/main.ts";
import { deriveKey } from "../../src/security/derived-key.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const HOUR = 60 * 60 * 1000;

/** One operation with its clientToken in one transaction, as the services run it. */
function runOnce<T>(
  db: Queryable,
  idem: Idempotency,
  operation: string,
  token: string | undefined,
  request: unknown,
  fn: () => Promise<T>,
): Promise<T> {
  return db.transaction().execute((tx) => idem.runIn(tx, operation, token, request, () => fn()));
}
const request = {
  connectorProfileName: "sn",
  connectorProfileConfig: {
    connectorProfileCredentials: { ServiceNow: { username: "u", password: "hunter2" } },
  },
};

describeEachDialect("clientToken idempotency", (dialect) => {
  let t: TestDatabase;
  let clock: ManualClock;
  const masterKey = randomBytes(32);
  const make = (key = deriveKey(masterKey, "idempotency"), sweepLimit?: number) =>
    new Idempotency(clock, { key, ttlMs: 8 * HOUR, ...(sweepLimit ? { sweepLimit } : {}) });
  const stored = () => t.db.selectFrom("idempotency_tokens").selectAll().orderBy("token_key").execute();

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await t.destroy();
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    await t.db.deleteFrom("idempotency_tokens").execute();
  });

  it("replays the first answer for the same token and request, refuses a different request", async () => {
    const idem = make();
    let calls = 0;
    const fn = async () => ({ arn: `arn-${++calls}` });
    expect(await runOnce(t.db, idem, "CreateConnectorProfile", "tok", request, fn)).toEqual({ arn: "arn-1" });
    clock.advance(8 * HOUR - 1);
    expect(await runOnce(t.db, idem, "CreateConnectorProfile", "tok", request, fn)).toEqual({ arn: "arn-1" });
    const other = { ...request, connectorProfileName: "other" };
    const conflict = await runOnce(t.db, idem, "CreateConnectorProfile", "tok", other, fn).catch(
      (e: unknown) => e,
    );
    expect(conflict).toBeInstanceOf(ProfileflowError);
    expect((conflict as ProfileflowError).code).toBe("CONFLICT");
    expect((conflict as ProfileflowError).message).toContain("8 hours");
    expect(calls).toBe(1);
    // Without a token nothing is recorded.
    expect(await runOnce(t.db, idem, "CreateConnectorProfile", undefined, request, fn)).toEqual({
      arn: "arn-2",
    });
    expect(await stored()).toHaveLength(1);
  });

  it("stores an HMAC under the master key, not a hash of the request", async () => {
    await runOnce(t.db, make(), "CreateConnectorProfile", "tok", request, async () => ({ ok: true }));
    const [row] = await stored();
    const json = JSON.stringify(request);
    const plain = (s: string) => createHash("sha256").update(s).digest("hex");
    expect(row?.request_mac).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.request_mac).not.toBe(plain(json));
    expect(row?.request_mac).not.toBe(plain(`CreateConnectorProfile:tok\n${json}`));
    expect(JSON.stringify(row)).not.toContain("hunter2");
    expect(row?.request_mac).toBe(make().fingerprint("CreateConnectorProfile:tok", request));

    // Another master key gives another value: the same token and request no longer match.
    const otherKey = deriveKey(randomBytes(32), "idempotency");
    expect(make(otherKey).fingerprint("CreateConnectorProfile:tok", request)).not.toBe(row?.request_mac);
    const conflict = await runOnce(
      t.db,
      make(otherKey),
      "CreateConnectorProfile",
      "tok",
      request,
      async () => ({
        ok: false,
      }),
    ).catch((e: unknown) => e);
    expect((conflict as ProfileflowError).code).toBe("CONFLICT");
    // The derived key is not the master key itself.
    expect(deriveKey(masterKey, "idempotency").equals(masterKey)).toBe(false);
  });

  it("forgets a token after the TTL and deletes expired records, a bounded number per recording", async () => {
    const idem = make(undefined, 2);
    for (const tok of ["a", "b", "c"])
      await runOnce(t.db, idem, "StartFlow", tok, { flowName: tok }, async () => tok);
    clock.advance(8 * HOUR);
    // Expired: a different request under an old token runs (no conflict) and replaces the record.
    expect(await runOnce(t.db, idem, "StartFlow", "a", { flowName: "changed" }, async () => "new-a")).toBe(
      "new-a",
    );
    // That recording swept two of the two remaining expired records (limit 2) — "b" and "c".
    expect((await stored()).map((r) => r.token_key)).toEqual(["StartFlow:a"]);
    expect(await runOnce(t.db, idem, "StartFlow", "a", { flowName: "changed" }, async () => "again")).toBe(
      "new-a",
    );

    for (const tok of ["d", "e", "f"]) await runOnce(t.db, idem, "StartFlow", tok, {}, async () => tok);
    clock.advance(8 * HOUR);
    expect(await idem.sweep(t.db, clock.now())).toBe(2);
    expect(await idem.sweep(t.db, clock.now())).toBe(2);
    expect(await idem.sweep(t.db, clock.now())).toBe(0);
    expect(await stored()).toEqual([]);
  });

  it("runIn records in the operation's transaction: a failed operation leaves neither its effect nor a record", async () => {
    const idem = make();
    const effect = (tx: Queryable, arn: string) =>
      tx.insertInto("resource_tags").values({ resource_arn: arn, tag_key: "k", tag_value: "v" }).execute();
    const failed = await t.db
      .transaction()
      .execute((tx) =>
        idem.runIn(tx, "CreateFlow", "tok", request, async (inner) => {
          await effect(inner, "arn:failed");
          throw new Error("the operation failed after its first write");
        }),
      )
      .catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/failed after/);
    expect(await stored()).toEqual([]);
    expect(
      await t.db.selectFrom("resource_tags").selectAll().where("resource_arn", "=", "arn:failed").execute(),
    ).toEqual([]);
    let calls = 0;
    const run = () =>
      t.db.transaction().execute((tx) =>
        idem.runIn(tx, "CreateFlow", "tok", request, async (inner) => {
          await effect(inner, `arn:ok-${++calls}`);
          return { n: calls };
        }),
      );
    expect(await run()).toEqual({ n: 1 });
    expect(await run()).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect((await stored()).map((r) => r.token_key)).toEqual(["CreateFlow:tok"]);
    await t.db.deleteFrom("resource_tags").execute();
  });
});

it("the server wires the configured TTL and the master key's derived key", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-idem-"));
  const masterKey = randomBytes(32);
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const config = loadConfig({
    flags: {
      dataDir,
      masterKey: masterKey.toString("base64"),
      idempotencyTtlSeconds: 120,
      logLevel: "silent",
    },
  });
  const server = await composeServer(config, { clock, logger: createLogger("silent") });
  try {
    const idem = server.flows.idempotency;
    const expected = createHmac("sha256", deriveKey(masterKey, "idempotency"))
      .update("StartFlow:tok\n")
      .update(JSON.stringify({ flowName: "f" }))
      .digest("hex");
    expect(idem.fingerprint("StartFlow:tok", { flowName: "f" })).toBe(expected);
    expect(
      await runOnce(server.database.db, idem, "StartFlow", "tok", { flowName: "f" }, async () => "first"),
    ).toBe("first");
    clock.advance(119_000);
    expect(
      await runOnce(server.database.db, idem, "StartFlow", "tok", { flowName: "f" }, async () => "second"),
    ).toBe("first");
    clock.advance(1_000);
    expect(
      await runOnce(server.database.db, idem, "StartFlow", "tok", { flowName: "f" }, async () => "third"),
    ).toBe("third");
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
