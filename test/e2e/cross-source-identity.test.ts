import { CreateDomainCommand, GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SandboxWorld } from "../../src/sandbox/core/index.ts";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";
import {
  CLOCK_BEHIND_MS,
  connect,
  FAULTS,
  integrate,
  nthRun,
  search,
  serverOn,
} from "./integration-harness.ts";
import { SandboxAdmin } from "./sandbox-admin.ts";

describeEachDialect("one person in Salesforce and Marketo is one profile", (dialect) => {
  let world: SandboxWorld;
  let sf: SalesforceSandbox;
  let mk: MarketoSandbox;
  let t: TestServer;
  beforeAll(async () => {
    world = new SandboxWorld({
      seed: 33,
      people: 300,
      clock: { start: Date.now() - CLOCK_BEHIND_MS },
      knobs: FAULTS,
    });
    sf = await startSalesforceSandbox({ world });
    mk = await startMarketoSandbox({ world });
    t = await serverOn(dialect, world.clock);
  });
  afterAll(async () => {
    await t?.close();
    await mk?.close();
    await sf?.close();
  });

  it("a lead carrying its contact's sfdcContactId joins the contact's profile; contacts of one account stay apart", async () => {
    const D = "identity";
    const secrets = new SecretsManagerClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: t.credentials,
    });
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: "sf-app",
        SecretString: JSON.stringify({
          clientId: sf.credentials.clientId,
          clientSecret: sf.credentials.clientSecret,
        }),
      }),
    );
    secrets.destroy();
    await connect(t, "sf", "Salesforce", {
      connectorProfileProperties: { Salesforce: { instanceUrl: sf.url } },
      connectorProfileCredentials: {
        Salesforce: { refreshToken: sf.credentials.refreshToken, clientCredentialsArn: secret.ARN! },
      },
    });
    await connect(t, "mk", "Marketo", {
      connectorProfileProperties: { Marketo: { instanceUrl: mk.url } },
      connectorProfileCredentials: {
        Marketo: { clientId: mk.credentials.clientId, clientSecret: mk.credentials.clientSecret },
      },
    });
    await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 365 }));
    const from = world.historyStart;
    const base = { domain: D, from };
    await integrate(t, {
      ...base,
      flowName: "contacts",
      connectorProfileName: "sf",
      source: {
        connectorType: "Salesforce",
        propertiesKey: "Salesforce",
        object: "Contact",
        objectTypeName: "Salesforce-Contact",
        cursor: "SystemModstamp",
      },
    });
    await integrate(t, {
      ...base,
      flowName: "leads",
      connectorProfileName: "mk",
      source: {
        connectorType: "Marketo",
        propertiesKey: "Marketo",
        object: "leads",
        objectTypeName: "Marketo-leads",
        cursor: "updatedAt",
      },
    });
    expect((await nthRun(t, "contacts", 1)).executionStatus).toBe("Successful");
    expect((await nthRun(t, "leads", 1)).executionStatus).toBe("Successful");

    const contacts = (await new SandboxAdmin(sf.url).truth("Contact")).filter((r) => !r.deleted);
    const leads = (await new SandboxAdmin(mk.url).truth("leads")).filter((r) => !r.deleted);
    const linked = leads.filter((l) => l.profileKey.key === "_salesforceContactId");
    expect(linked.length).toBeGreaterThan(10);

    // Every linked lead sits on its contact's one profile.
    for (const lead of linked.slice(0, 25)) {
      const byContact = await search(t, D, "_salesforceContactId", lead.profileKey.value);
      const byLead = await search(t, D, "_marketoLeadId", lead.id);
      expect(byContact).toHaveLength(1);
      expect(byLead.map((p) => p.ProfileId)).toEqual([byContact[0]!.ProfileId]);
    }
    // One profile per person: each contact's, plus each lead that names no contact.
    const stats = (await t.profiles.send(new GetDomainCommand({ DomainName: D }))).Stats;
    expect(stats?.ObjectCount).toBe(contacts.length + leads.length);
    expect(stats?.ProfileCount).toBe(contacts.length + leads.length - linked.length);

    // Two contacts of one account are two people: the account id is searchable but never matches.
    const byCompany = new Map<string, string[]>();
    for (const c of contacts) byCompany.set(c.companyId, [...(byCompany.get(c.companyId) ?? []), c.id]);
    const [a, b] = [...byCompany.values()].find((ids) => ids.length >= 2)!;
    const pa = (await search(t, D, "_salesforceContactId", a!))[0]!;
    const pb = (await search(t, D, "_salesforceContactId", b!))[0]!;
    expect(pa.ProfileId).not.toBe(pb.ProfileId);
    const account = pa.Attributes?.["sfdcAccountId"];
    expect(account).toBeDefined();
    expect(pb.Attributes?.["sfdcAccountId"]).toBe(account);
    const shared = await search(t, D, "_salesforceAccountId", account!);
    expect(shared.map((p) => p.ProfileId)).toEqual(expect.arrayContaining([pa.ProfileId, pb.ProfileId]));
  }, 60_000);
});
