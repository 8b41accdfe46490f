import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch } from "../../src/flows/record-sink.ts";
import { startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

const MARKER = "zq-rejected-marker-41c7";

describeEachDialect("records the connector refused are dead-lettered sealed", (dialect) => {
  let t: TestServer;
  const DomainName = "sealed-rejects";

  beforeAll(async () => {
    t = await startSignupServer(dialect, DomainName);
  });
  afterAll(async () => t?.close());

  it("no plain text of a rejected record is stored, and ListDeadLetters' store opens it", async () => {
    const db = t.server.database.db as Kysely<Database>;
    const sink = profilesSink(t.server.profiles, { now: () => Date.now() });
    const rejected = Array.from({ length: 3 }, (_, i) => ({
      recordId: `R-${i}`,
      data: { id: `R-${i}`, note: `${MARKER}-${i}` },
      code: "TASK_FAILED",
      // A task's message may quote the record: it is sealed like the record.
      message: `a task refused the record: note ${MARKER}-${i} is too long`,
    }));
    const batch = {
      flow: { definition: { flowName: "signups" } },
      executionId: "e1",
      replaySince: Date.now(),
      domainName: DomainName,
      objectTypeName: "Signup",
      records: [],
      deletions: [],
      rejected,
    } as unknown as SinkBatch;
    await db.transaction().execute((trx) => sink.writeBatch(trx, batch));

    const rows = await db
      .selectFrom("profile_dead_letters")
      .selectAll()
      .where("domain_name", "=", DomainName)
      .execute();
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain(MARKER);
    const page = await t.server.profiles.deadLetters.list(db, DomainName, {}, { maxResults: 10 });
    expect(page.items.map((d) => JSON.parse(d.object).note).sort()).toEqual(
      [0, 1, 2].map((i) => `${MARKER}-${i}`),
    );
    expect(page.items.map((d) => d.message).sort()).toEqual(
      [0, 1, 2].map((i) => `a task refused the record: note ${MARKER}-${i} is too long`),
    );
  });
});
