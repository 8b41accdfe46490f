import { afterAll, beforeAll, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { SinkBatch } from "../../src/flows/record-sink.ts";
import { implicitObjectType, resolveObjectType } from "../../src/ingest/index.ts";
import { DeadLetterStore } from "../../src/profiles/dead-letter-store.ts";
import { ProfileIngestor } from "../../src/profiles/profile-ingestor.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const types = {
  async get(_domain: string, name: string) {
    const def = implicitObjectType(name);
    return def ? resolveObjectType(def) : undefined;
  },
  async getIn(_q: unknown, domain: string, name: string) {
    return types.get(domain, name);
  },
};

describeEachDialect(
  "the flows sink keeps every statement under the databases' bound-variable limits",
  (dialect) => {
    let t: TestDatabase;
    let ingestor: ProfileIngestor;
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    beforeAll(async () => {
      t = await openTestDatabase(dialect);
      ingestor = new ProfileIngestor(t, types, clock);
    });
    afterAll(async () => t?.destroy());

    it("a page group of 10,000 rejected records (8 values each: 80,000 in one statement) is dead-lettered whole", async () => {
      const domainName = "rejects";
      const n = 10_000;
      const sink = profilesSink({ ingestor, deadLetters: new DeadLetterStore() }, clock);
      const batch = {
        flow: { definition: { flowName: "contacts" } },
        executionId: "e1",
        replaySince: Date.now(),
        domainName,
        objectTypeName: "Salesforce-Contact",
        records: [],
        deletions: [],
        rejected: Array.from({ length: n }, (_, i) => ({
          recordId: `003R${i}`,
          data: { Id: `003R${i}` },
          code: "VALIDATION_FAILED",
          message: "refused by a Validate task",
        })),
      } as unknown as SinkBatch;
      await t.db.transaction().execute((trx) => sink.writeBatch(trx, batch));
      const stored = await t.db
        .selectFrom("profile_dead_letters")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("domain_name", "=", domainName)
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(n);
    });
  },
);
