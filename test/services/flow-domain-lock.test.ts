import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { domainExistsUnderLock } from "../../src/compose/domain-exists-under-lock.ts";
import { isProfileflowError } from "../../src/core/errors.ts";
import { plain } from "../../src/services/replayable.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { TEST_CALLER } from "../workflows/allow-all-role.ts";
import { integrationDefinition, integrationFixture, OBJECT_TYPE } from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;
type Built = ReturnType<Fixture["build"]>;

const JUL = Date.UTC(2024, 6, 1);
const SEP = Date.UTC(2024, 8, 1);

/**
 * CreateFlow and CreateIntegrationWorkflow serialize with DeleteDomain on the domain's lock (FlowService's
 * domain check wired as src/compose/flow-services.ts wires it; WorkflowService through DomainService).
 * Without it (PostgreSQL, READ COMMITTED), one that starts while DeleteDomain's cascade runs still sees
 * the domain, and its flow (a workflow's step flows, integrations and rows) commit after the cascade
 * removed the domain's: they outlive the domain.
 */
describeEachDialect("flow writes during DeleteDomain", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  let built: Built;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
    built = fx.build({ flow: { domainExists: domainExistsUnderLock(fx.ds.domains) } });
  });
  afterAll(async () => db?.destroy());

  /** Runs `write` while DeleteDomain of `domain` is paused mid-cascade; returns what `write` threw. */
  async function duringDelete(domain: string, write: (b: Built) => Promise<unknown>): Promise<unknown> {
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
        { deleteForDomainIn: (tx, d) => built.integrations.deleteForDomainIn(tx, d) },
        // DeleteDomain is mid-way: the domain's integrations and flows are gone, the domain row is not yet.
        {
          deleteForDomainIn: () => {
            reached();
            return gate;
          },
        },
      ],
    });
    await fx.ds.domains.create(domain, { defaultExpirationDays: 30 }, undefined);
    const deleted = deleting.domains.delete(domain);
    await inCascade;

    let settled = false;
    const writing = write(built).finally(() => {
      settled = true;
    });
    writing.catch(() => {});
    if (dialect === "postgres") {
      // Until the write either finished or waits on a lock (the domain's): then DeleteDomain goes on.
      while (!settled && !(await waitingOnAdvisoryLock(db))) await new Promise((r) => setTimeout(r, 5));
    }
    release();
    await deleted;
    return writing.then(
      () => undefined,
      (x: unknown) => x,
    );
  }

  it("CreateFlow waits for the delete and finds the domain gone: no flow is left", async () => {
    const e = await duringDelete("race-flow-domain", (b) =>
      b.flows.create(integrationDefinition("race-created-flow", "OnDemand", "race-flow-domain"), {}, plain()),
    );
    expect(isProfileflowError(e, "RESOURCE_NOT_FOUND"), String(e)).toBe(true);
    const left = await sql<{ n: number }>`
      select count(*) as n from flows where name = 'race-created-flow'`.execute(db.db);
    expect(Number(left.rows[0]?.n)).toBe(0);
  });

  it("CreateIntegrationWorkflow waits for the delete and finds the domain gone: nothing of it is left", async () => {
    const flowsBefore = await flowCount(db);
    const e = await duringDelete("race-wf-domain", (b) =>
      b.workflows.create("race-wf-domain", {
        objectTypeName: OBJECT_TYPE,
        roleArn: "arn:aws:iam::123456789012:role/CustomerProfilesWorkflow",
        callerAccessKeyId: TEST_CALLER,
        flowDefinition: integrationDefinition("race-wf-flow", "Scheduled", "race-wf-domain"),
        batches: [{ from: JUL, to: SEP }],
      }),
    );
    expect(isProfileflowError(e, "RESOURCE_NOT_FOUND"), String(e)).toBe(true);
    const left = await sql<{ n: number }>`
      select (select count(*) from integrations where domain_name = 'race-wf-domain')
           + (select count(*) from workflows where domain_name = 'race-wf-domain') as n`.execute(db.db);
    expect(Number(left.rows[0]?.n)).toBe(0);
    expect(await flowCount(db)).toBe(flowsBefore);
  });
});

async function flowCount(db: TestDatabase): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from flows`.execute(db.db);
  return Number(r.rows[0]?.n);
}

async function waitingOnAdvisoryLock(db: TestDatabase): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(db.db);
  return (r.rows[0]?.n ?? 0) > 0;
}
