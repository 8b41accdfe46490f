import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isProfileflowError } from "../../src/core/errors.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { integrationDefinition, integrationFixture, OBJECT_TYPE } from "./integration-fixture.ts";

/**
 * PutIntegration and DeleteDomain serialize on the domain's lock. Without it (PostgreSQL, READ
 * COMMITTED), a PutIntegration that starts while DeleteDomain's cascade runs still sees the domain, and
 * its integration and running flow commit after the cascade removed the domain's: they outlive the domain.
 */
describeEachDialect("PutIntegration during DeleteDomain", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => db?.destroy());

  it("waits for the delete and finds the domain gone: nothing of it is left", async () => {
    const fx = await integrationFixture(db);
    const { integrations } = fx.build();
    let reached!: () => void;
    const inCascade = new Promise<void>((r) => {
      reached = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const deleting = domainServices(db, fx.clock, {
      cascade: [
        { deleteForDomainIn: (tx, d) => integrations.deleteForDomainIn(tx, d) },
        // DeleteDomain is mid-way: the domain's integrations are gone, the domain row is not yet.
        {
          deleteForDomainIn: () => {
            reached();
            return gate;
          },
        },
      ],
    });
    await fx.ds.domains.create("race", { defaultExpirationDays: 30 }, undefined);
    const deleted = deleting.domains.delete("race");
    await inCascade;

    let settled = false;
    const put = integrations
      .put("race", {
        objectTypeName: OBJECT_TYPE,
        flowDefinition: integrationDefinition("race-flow", "OnDemand", "race"),
      })
      .finally(() => {
        settled = true;
      });
    put.catch(() => {});
    if (dialect === "postgres") {
      // Until the put either finished or waits on a lock (the domain's): then DeleteDomain goes on.
      while (!settled && !(await waitingOnAdvisoryLock(db))) await new Promise((r) => setTimeout(r, 5));
    }
    release();
    await deleted;

    const e = await put.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isProfileflowError(e, "RESOURCE_NOT_FOUND")).toBe(true);
    const left = await sql<{ n: number }>`
      select (select count(*) from integrations where domain_name = 'race')
           + (select count(*) from flows where name = 'race-flow') as n`.execute(db.db);
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});

async function waitingOnAdvisoryLock(db: TestDatabase): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(db.db);
  return (r.rows[0]?.n ?? 0) > 0;
}
