import type { Kysely } from "kysely";
import { afterEach, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import { loadConfig } from "../../src/config/config.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch } from "../../src/flows/record-sink.ts";
import { signupRecords, startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

const DomainName = "seal-ahead";

/**
 * Ten records through the profiles sink in parts of 3 (each part hands the next one to the sealer ahead),
 * then how many of their payloads were taken sealed ahead, and whether all ten are stored.
 */
async function sealedAheadOfTen(t: TestServer): Promise<{ seals: number; stored: number }> {
  const db = t.server.database.db as Kysely<Database>;
  const sink = profilesSink(t.server.profiles, { now: () => Date.now() });
  const page = signupRecords(0, 10);
  for (let from = 0; from < page.length; ) {
    const rest = page.slice(from);
    const batch = {
      flow: { definition: { flowName: "signups" } },
      executionId: "exec-seal-ahead",
      replaySince: Date.now() - 1_000,
      domainName: DomainName,
      objectTypeName: "Signup",
      records: rest,
      deletions: [],
      rejected: [],
      ...(rest.length > 3 ? { partLimit: 3 } : {}),
    } as unknown as SinkBatch;
    const r = await db.transaction().execute((tx) => sink.writeBatch(tx, batch));
    from += r.consumed ?? rest.length;
    await t.server.domainKeys.prefetchesDone(DomainName);
  }
  const stored = await db
    .selectFrom("profile_objects")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("domain_name", "=", DomainName)
    .executeTakeFirstOrThrow();
  return { seals: t.server.domainKeys.prefetchedTaken(DomainName).seals, stored: Number(stored.n) };
}

it("sealAhead is auto unless set; PROFILEFLOW_SEAL_AHEAD takes on or off, anything else is CONFIG_INVALID", () => {
  expect(loadConfig({ env: {} }).sealAhead).toBe("auto");
  expect(loadConfig({ env: { PROFILEFLOW_SEAL_AHEAD: "off" } }).sealAhead).toBe("off");
  expect(loadConfig({ env: { PROFILEFLOW_SEAL_AHEAD: "on" } }).sealAhead).toBe("on");
  for (const bad of ["true", "ON", "1", "yes"]) {
    expect(() => loadConfig({ env: { PROFILEFLOW_SEAL_AHEAD: bad } })).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/^config sealAhead: must be auto, on or off/),
      }),
    );
  }
});

// Sealing a backfill's next records on the seal worker cost 52–55 MB of peak memory at 1M on PostgreSQL
// for no rate that showed, and 20–32 MB on SQLite (docs/benchmarks.md, "GetDomain's Stats kept, not
// counted"): "auto" leaves it off on both dialects, and either way what is stored is the same ten records.
describeEachDialect("sealAhead: the seal worker only when set on", (dialect) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it(`auto (${dialect}): every value is sealed inline`, async () => {
    t = await startSignupServer(dialect, DomainName);
    expect(t.server.domainKeys.prefetch).toBeUndefined();
    // Nothing to hand over, so the flows' pages are not prepared ahead either (read-pages.ts).
    expect(profilesSink(t.server.profiles, { now: () => Date.now() }).prefetch).toBeUndefined();
    expect(await sealedAheadOfTen(t)).toEqual({ seals: 0, stored: 10 });
  });

  it("off: every value is sealed inline", async () => {
    t = await startSignupServer(dialect, DomainName, { sealAhead: "off" });
    expect(t.server.domainKeys.prefetch).toBeUndefined();
    expect(profilesSink(t.server.profiles, { now: () => Date.now() }).prefetch).toBeUndefined();
    expect(await sealedAheadOfTen(t)).toEqual({ seals: 0, stored: 10 });
  });

  it("on: parts are sealed ahead", async () => {
    t = await startSignupServer(dialect, DomainName, { sealAhead: "on" });
    expect(t.server.domainKeys.prefetch).toBeTypeOf("function");
    expect(await sealedAheadOfTen(t)).toEqual({ seals: 7, stored: 10 });
  });
});
