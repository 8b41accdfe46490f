import { afterAll, beforeAll, expect, it } from "vitest";
import { Idempotency } from "../../src/api/idempotency.ts";
import {
  type ConnectionTester,
  ConnectorProfileService,
  type ConnectorProfileServiceDeps,
} from "../../src/services/connector-profile-service.ts";
import { failOn, InjectedFault, snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { failAfter } from "./integration-faults.ts";
import { integrationFixture } from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;

interface Step {
  readonly at: string;
  readonly deps: () => Partial<ConnectorProfileServiceDeps>;
}

/**
 * Every step of UpdateConnectorProfile (reads, the connection test, the write and the clientToken's
 * record) made to throw in turn: the stored profile, its sealed credentials and the token records stay
 * exactly as before, on both dialects.
 */
describeEachDialect("ConnectorProfileService faults", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  let idempotency: Idempotency;
  let n = 0;
  const tester = { test: (async () => ({ status: "Connected" })) as ConnectionTester };
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
    idempotency = new Idempotency(fx.clock, { key: Buffer.alloc(32, 9), ttlMs: 8 * 3_600_000 });
  });
  afterAll(async () => db.destroy());

  const service = (deps: Partial<ConnectorProfileServiceDeps> = {}) =>
    new ConnectorProfileService({
      db: db.db,
      profiles: fx.connectorProfiles,
      flows: fx.world.flows,
      test: (p) => tester.test(p),
      idempotency,
      ...deps,
    });
  const profiles = () => fx.connectorProfiles;
  const around = (
    at: string,
    deps: (wrap: typeof failOn) => Partial<ConnectorProfileServiceDeps>,
  ): Step[] => [
    { at, deps: () => deps(failOn) },
    { at: `after ${at}`, deps: () => deps(failAfter) },
  ];
  const steps: Step[] = [
    { at: "the clientToken lookup", deps: () => ({ idempotency: failOn(idempotency, "replayIn") }) },
    { at: "profiles.require", deps: () => ({ profiles: failOn(profiles(), "require", 1) }) },
    { at: "profiles.credentials", deps: () => ({ profiles: failOn(profiles(), "credentials") }) },
    {
      at: "the connection test",
      deps: () => {
        const t = failOn(tester, "test");
        return { test: (p) => t.test(p) };
      },
    },
    { at: "profiles.require in the write", deps: () => ({ profiles: failOn(profiles(), "require", 2) }) },
    ...around("profiles.update", (wrap) => ({ profiles: wrap(profiles(), "update") })),
    ...around("the clientToken record", (wrap) => ({ idempotency: wrap(idempotency, "runIn") })),
  ];

  for (const step of steps) {
    it(`UpdateConnectorProfile: a fault at ${step.at} leaves the store as it was`, async () => {
      const name = `conn-${++n}`;
      await service().create(
        {
          name,
          connectorType: "Servicenow",
          connectionMode: "Public",
          key: "ServiceNow",
          properties: { instanceUrl: "https://a.service-now.com" },
          credentials: { username: "u", password: "before" },
        },
        { respond: (p) => p.arn },
      );
      const before = await snapshotStore(db);
      const update = service(step.deps()).update(
        {
          name,
          connectionMode: "Public",
          key: "ServiceNow",
          // Same host, no credentials: the stored ones are read, tested with the new properties and kept.
          properties: { instanceUrl: "https://a.service-now.com/other" },
          credentials: undefined,
        },
        { token: `t-${name}`, request: { name }, respond: (p) => p.arn },
      );
      await expect(update).rejects.toBeInstanceOf(InjectedFault);
      expect(await snapshotStore(db)).toEqual(before);
    });
  }

  it("without a fault the update and its clientToken record are stored", async () => {
    const name = `conn-${++n}`;
    const create = {
      name,
      connectorType: "Servicenow" as const,
      connectionMode: "Public",
      key: "ServiceNow",
      properties: { instanceUrl: "https://a.service-now.com" },
      credentials: { username: "u", password: "before" },
    };
    await service().create(create, { respond: (p) => p.arn });
    const change = { ...create, credentials: { username: "u", password: "after" } };
    const call = { token: `t-${name}`, request: { name }, respond: (p: { arn: string }) => p.arn };
    await service().update(change, call);
    expect(await profiles().credentials(db.db, name)).toEqual({
      ServiceNow: { username: "u", password: "after" },
    });
    const tokens = await db.db.selectFrom("idempotency_tokens").select("token_key").execute();
    expect(tokens.map((t) => t.token_key)).toContain(`UpdateConnectorProfile:t-${name}`);
  });
});
