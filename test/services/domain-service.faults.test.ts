import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { IntegrationStore } from "../../src/flows/integration-store.ts";
import { createProfileServices } from "../../src/profiles/profile-services.ts";
import type { DomainCascade, DomainServiceDeps } from "../../src/services/domain-service.ts";
import { DomainService } from "../../src/services/domain-service.ts";
import { ProfileService } from "../../src/services/profile-service.ts";
import { type DomainServices, domainServices } from "../helpers/domain-services.ts";
import { failOn, InjectedFault, snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/** The steps of DeleteDomain, in order: each names a dependency of DomainService and its method. */
const STEPS = [
  ["domains", "require"],
  ["cascade", "deleteForDomainIn"],
  ["profiles", "deleteForDomainIn"],
  ["objectTypes", "deleteForDomainIn"],
  ["tags", "clearTreeIn"],
  ["domains", "delete"],
] as const;

describeEachDialect("DeleteDomain is one transaction", (dialect) => {
  let t: TestDatabase;
  let clock: ManualClock;
  let s: DomainServices;
  let profiles: ProfileService;
  const integrations = new IntegrationStore(new ManualClock(0));
  // A held resource deleted through its own path, as IntegrationService's and FlowService's are.
  const integrationCascade: DomainCascade = {
    deleteForDomainIn: async (tx: Queryable, domainName: string) => {
      for (const i of await integrations.ofDomain(tx, domainName))
        await integrations.delete(tx, domainName, i.uri);
    },
  };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    clock = new ManualClock(Date.UTC(2025, 0, 1));
    s = domainServices(t, clock, { cascade: [integrationCascade] });
    const layer = createProfileServices(t, s.objectTypes, clock);
    profiles = new ProfileService({ db: t.db, dialect: t.dialect, domains: s.domainStore, profiles: layer });
  });
  afterAll(async () => t?.destroy());

  /** A domain holding something of every kind DeleteDomain removes, and a neighbour that must stay. */
  async function seed(name: string): Promise<void> {
    await s.domains.create(name, { defaultExpirationDays: 30 }, { team: "crm" });
    await s.objectTypes.put(name, {
      ObjectTypeName: "Signup",
      Description: "signups",
      AllowProfileCreation: true,
      Fields: {
        id: { Source: "_source.id", Target: "_profile.AccountNumber" },
        email: { Source: "_source.email", Target: "_profile.EmailAddress" },
      },
      Keys: {
        _signupId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
        _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
      },
      Tags: { kind: "signup" },
    });
    await profiles.putObject(name, "Signup", JSON.stringify({ id: "1", email: "ada@example.com" }), "test");
    await profiles.putObject(
      name,
      "Zendesk-users",
      JSON.stringify({ id: 7, email: "bo@example.com" }),
      "test",
    );
    const id = await profiles.createProfile(
      name,
      { FirstName: "Cy", EmailAddress: "cy@example.com" },
      "test",
    );
    await profiles.addKey(name, id, "_email", ["cy2@example.com"], "test");
    await integrations.put(t.db, {
      domainName: name,
      uri: `arn:aws:appflow:us-east-1:123456789012:flow/${name}-flow`,
      objectTypeName: "Signup",
      flowName: `${name}-flow`,
      roleArn: undefined,
      workflowId: undefined,
      hidden: false,
    });
  }

  it("a failure at any step leaves every table as it was", async () => {
    await seed("neighbour");
    for (const [i, [dep, method]] of STEPS.entries()) {
      const name = `doomed-${i}`;
      await seed(name);
      const before = await snapshotStore(t);
      const deps: DomainServiceDeps = { ...s.deps };
      if (dep === "cascade") deps.cascade = [failOn(integrationCascade, method)];
      else if (dep === "domains") deps.domains = failOn(s.domainStore, method);
      else if (dep === "profiles") deps.profiles = failOn(s.profileData, method);
      else if (dep === "objectTypes") deps.objectTypes = failOn(s.objectTypes, method);
      else deps.tags = failOn(s.tags, method);
      const failing = new DomainService(deps);
      await expect(failing.delete(name), `${dep}.${method}`).rejects.toBeInstanceOf(InjectedFault);
      expect(await snapshotStore(t), `after a fault in ${dep}.${method}`).toEqual(before);
    }
  });

  it("without a fault everything of the domain goes, and nothing of its neighbour", async () => {
    await seed("gone");
    const neighbourBefore = rowsOf(await snapshotStore(t), "neighbour");
    await s.domains.delete("gone");
    const after = await snapshotStore(t);
    expect(rowsOf(after, "gone")).toEqual([]);
    expect(rowsOf(after, "neighbour")).toEqual(neighbourBefore);
    expect(neighbourBefore.length).toBeGreaterThan(10);
  });
});

/** Every row (of any table) that names the domain, by its name or its ARN. */
function rowsOf(snapshot: Record<string, string[]>, domainName: string): string[] {
  const needles = [`"${domainName}"`, `domains/${domainName}"`, `domains/${domainName}/`];
  return Object.entries(snapshot).flatMap(([table, rows]) =>
    rows.filter((r) => needles.some((n) => r.includes(n))).map((r) => `${table} ${r}`),
  );
}
