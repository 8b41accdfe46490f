import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { AesSecretBox } from "../../src/security/aes-secret-box.ts";
import { SecretStore } from "../../src/security/secret-store.ts";
import { SecretService, type SecretServiceDeps } from "../../src/services/secret-service.ts";
import { TagService } from "../../src/services/tag-service.ts";
import { type FaultStep, faultsAround, InjectedFault, snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

type Step = FaultStep<SecretServiceDeps>;

/**
 * Every step of CreateSecret (the secret, then its tags), DeleteSecret (forced: the secret, then its
 * tags; scheduled) and PutSecretValue made to throw in turn, before and right after its writes: the store
 * must be exactly as before the call, on both dialects. SecretService is built as
 * src/compose/flow-services.ts composes it, from the real stores, with one dependency wrapped.
 */
describeEachDialect("SecretService faults", (dialect) => {
  let db: TestDatabase;
  let secrets: SecretStore;
  let tags: TagService;
  let n = 0;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    secrets = new SecretStore(
      new AesSecretBox(Buffer.alloc(32, 7)),
      new ManualClock(Date.UTC(2026, 11, 3)),
      "arn:aws:secretsmanager:us-east-1:111122223333:secret:",
    );
    tags = new TagService(db.db);
  });
  afterAll(async () => db.destroy());

  const service = (deps: Partial<SecretServiceDeps> = {}) =>
    new SecretService({ db: db.db, secrets, tags, ...deps });

  /** A secret as CreateSecret leaves it, tagged. */
  async function existing(): Promise<string> {
    const name = `faults-${++n}`;
    await service().create({ name, secretString: '{"client_id":"a"}', tags: { team: "crm" } });
    return name;
  }

  /** Runs `op` once per step with that step failing; each run must reject with the fault and change nothing. */
  function eachStep(
    what: string,
    steps: Step[],
    setup: () => Promise<string>,
    op: (deps: Partial<SecretServiceDeps>, name: string) => Promise<unknown>,
  ) {
    for (const step of steps) {
      it(`${what}: a fault at ${step.at} leaves the store as it was`, async () => {
        const name = await setup();
        const before = await snapshotStore(db);
        await expect(op(step.deps(), name)).rejects.toBeInstanceOf(InjectedFault);
        expect(await snapshotStore(db)).toEqual(before);
      });
    }
    it(`${what}: without a fault, the operation changes the store (the steps above write)`, async () => {
      const name = await setup();
      const before = await snapshotStore(db);
      await op({}, name);
      expect(await snapshotStore(db)).not.toEqual(before);
    });
  }

  eachStep(
    "CreateSecret (with tags)",
    [
      ...faultsAround<SecretServiceDeps>("secrets.create", (wrap) => ({ secrets: wrap(secrets, "create") })),
      ...faultsAround<SecretServiceDeps>("tags.tagIn", (wrap) => ({ tags: wrap(tags, "tagIn") })),
    ],
    async () => `faults-${++n}`,
    (deps, name) =>
      service(deps).create({ name, secretString: '{"client_id":"a"}', tags: { team: "crm", env: "test" } }),
  );
  eachStep(
    "DeleteSecret (forced)",
    [
      ...faultsAround<SecretServiceDeps>("secrets.delete", (wrap) => ({ secrets: wrap(secrets, "delete") })),
      ...faultsAround<SecretServiceDeps>("tags.clearIn", (wrap) => ({ tags: wrap(tags, "clearIn") })),
    ],
    existing,
    (deps, name) => service(deps).delete(name, { force: true, recoveryWindowDays: 30 }),
  );
  eachStep(
    "DeleteSecret (scheduled)",
    faultsAround<SecretServiceDeps>("secrets.delete", (wrap) => ({ secrets: wrap(secrets, "delete") })),
    existing,
    (deps, name) => service(deps).delete(name, { force: false, recoveryWindowDays: 7 }),
  );
  eachStep(
    "PutSecretValue",
    faultsAround<SecretServiceDeps>("secrets.put", (wrap) => ({ secrets: wrap(secrets, "put") })),
    existing,
    (deps, name) => service(deps).put(name, '{"client_id":"b"}'),
  );
});
