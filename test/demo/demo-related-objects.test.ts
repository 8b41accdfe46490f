import { randomBytes } from "node:crypto";
import {
  DeleteWorkflowCommand,
  GetDomainCommand,
  ListProfileObjectsCommand,
  ListWorkflowsCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemTimer } from "../../src/connectors/sdk/index.ts";
import { type DemoClients, projection, setUpDemo } from "../../src/demo/demo-setup.ts";
import {
  DEMO_OBJECTS,
  DEMO_RELATED_OBJECTS,
  DEMO_SOURCES,
  type DemoSource,
} from "../../src/demo/demo-sources.ts";
import { InstanceLimits } from "../../src/flows/instance-limits/instance-limits.ts";
import { type Sandboxes, startSandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { CLOCK_BEHIND_MS, nthRun, serverOn } from "../e2e/integration-harness.ts";
import { SandboxAdmin, type TruthRow } from "../e2e/sandbox-admin.ts";
import { closeDemoClients, demoClients } from "../helpers/demo-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

const DOMAIN = "demo";
const fingerprintKey = randomBytes(32);

/** The sandbox's truth of an object: every incident is a task too, from one store (`incident`). */
const truthObject = (s: DemoSource) => (s.object === "task" ? "incident" : s.object);

/** The person object a related object's truth row points at (the vendor's person object). */
const personObjectOf = (s: DemoSource) => DEMO_SOURCES.find((p) => p.vendor === s.vendor)!;

describeEachDialect("the demo integrates every templated object", (dialect) => {
  let sandboxes: Sandboxes;
  let t: TestServer;
  let clients: DemoClients;
  beforeAll(async () => {
    // The clock stands still: each flow's first run (at activation) reads the whole history once. Zendesk's
    // export limit is scaled up so two flows' exports never wait out a minute that never passes.
    sandboxes = await startSandboxes({
      seed: 17,
      people: 80,
      clock: { start: Date.now() - CLOCK_BEHIND_MS, speed: 0 },
      knobs: { rateLimitScale: 20 },
    });
    t = await serverOn(dialect, sandboxes.world.clock);
    await new InstanceLimits({
      db: t.server.database.db,
      clock: sandboxes.world.clock,
      timer: systemTimer,
    }).configure("Zendesk", sandboxes.servers["zendesk"]!.url, {
      maxConcurrent: 2,
      requestsPerSecond: 4,
      burst: 8,
    });
    clients = demoClients(t);
  });
  afterAll(async () => {
    closeDemoClients(clients);
    await t?.close();
    await sandboxes?.close();
  });

  /** The ids of the objects of `type` that profile `profileId` of `domain` holds (ListProfileObjects, all pages). */
  async function objectsOf(profileId: string, type: string, domain = DOMAIN): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await t.profiles.send(
        new ListProfileObjectsCommand({
          DomainName: domain,
          ProfileId: profileId,
          ObjectTypeName: type,
          MaxResults: 100,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const o of page.Items ?? []) ids.push(o.ProfileObjectUniqueKey!);
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }

  /** The ids of the profiles of `domain` a key value finds (SearchProfiles). */
  async function profilesBy(key: { key: string; value: string }, domain = DOMAIN): Promise<string[]> {
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName: domain, KeyName: key.key, Values: [key.value] }),
    );
    return (found.Items ?? []).map((p) => p.ProfileId!);
  }

  /** The one profile a key value finds. */
  async function profileBy(key: { key: string; value: string }): Promise<string> {
    const found = await profilesBy(key);
    expect(found, `${key.key}=${key.value}`).toHaveLength(1);
    return found[0]!;
  }

  /** The live rows of a vendor object's sandbox truth stamped since the history's start. */
  async function liveTruth(vendor: string, object: string): Promise<TruthRow[]> {
    const rows = await new SandboxAdmin(sandboxes.servers[vendor]!.url).truth(object);
    return rows.filter((r) => !r.deleted && r.stamp >= sandboxes.world.historyStart);
  }

  /**
   * Salesforce's `first` object set up alone in a new `domain`, then `second` beside it, each flow's first
   * run successful (flows named apart for the domain); returns `second`'s source and live truth rows.
   */
  async function ingestAfter(domain: string, first: string, second: string) {
    const named = (object: string) => {
      const s = DEMO_OBJECTS.find((o) => o.vendor === "salesforce" && o.object === object)!;
      return { ...s, flowName: `${domain}-${s.flowName}` };
    };
    const setUp = (sources: DemoSource[]) =>
      setUpDemo(clients, {
        domain,
        credentials: sandboxes.credentials,
        start: sandboxes.world.historyStart,
        end: sandboxes.world.historyEnd,
        workflows: false,
        fingerprintKey,
        sources,
      });
    const before = named(first);
    const after = named(second);
    await setUp([before]);
    expect((await nthRun(t, before.flowName, 1)).executionStatus).toBe("Successful");
    await setUp([before, after]);
    expect((await nthRun(t, after.flowName, 1)).executionStatus).toBe("Successful");
    return { before, after, rows: await liveTruth("salesforce", second) };
  }

  it("assets, tasks, incidents and tickets land on their person's profile, one connector profile per vendor", async () => {
    const world = sandboxes.world;
    const start = world.historyStart;
    const tracks = await setUpDemo(clients, {
      domain: DOMAIN,
      credentials: sandboxes.credentials,
      start,
      end: world.historyEnd,
      workflows: false,
      fingerprintKey,
    });
    expect(tracks.map((x) => x.source.objectTypeName).sort()).toEqual(
      DEMO_OBJECTS.map((s) => s.objectTypeName).sort(),
    );
    expect(DEMO_OBJECTS).toHaveLength(9);
    // One connection per vendor, made once and shared by the vendor's objects.
    expect(new Set(tracks.map((x) => x.sent)).size).toBe(4);
    for (const s of DEMO_OBJECTS) {
      const run = await nthRun(t, s.flowName, 1);
      expect(run.executionStatus, `${s.flowName}: ${run.executionResult?.errorInfo?.executionMessage}`).toBe(
        "Successful",
      );
    }

    // What each object's history holds: live records stamped since the start.
    const truth = new Map<string, TruthRow[]>();
    for (const s of DEMO_OBJECTS) truth.set(s.objectTypeName, await liveTruth(s.vendor, truthObject(s)));
    // Every related object held, on the profile its person's key finds, beside its person's own record
    // when that was ingested too.
    for (const s of DEMO_RELATED_OBJECTS.filter((r) => r.object !== "Account")) {
      const person = personObjectOf(s);
      const people = new Set(truth.get(person.objectTypeName)!.map((r) => r.id));
      const rows = truth.get(s.objectTypeName)!;
      expect(rows.length, s.objectTypeName).toBeGreaterThan(5);
      let besidePerson = 0;
      for (const r of rows) {
        const profileId = await profileBy(r.profileKey);
        expect(await objectsOf(profileId, s.objectTypeName), `${s.objectTypeName} ${r.id}`).toContain(r.id);
        if (people.has(r.profileKey.value)) {
          expect(await objectsOf(profileId, person.objectTypeName)).toContain(r.profileKey.value);
          besidePerson++;
        }
      }
      expect(besidePerson, s.objectTypeName).toBeGreaterThan(0);
    }
    // An account is held by exactly one profile, never one of two contacts. (Its own profile, unless exactly
    // one profile held its id when it arrived — a lone contact's search-only key — which it then joins:
    // identity resolution counts search-only keys as owners.)
    const accounts = truth.get("Salesforce-Account")!;
    expect(accounts.length).toBeGreaterThan(0);
    for (const r of accounts) {
      const holders = [];
      for (const p of await profilesBy(r.profileKey))
        if ((await objectsOf(p, "Salesforce-Account")).length > 0) holders.push(p);
      expect(holders, r.id).toHaveLength(1);
      expect(await objectsOf(holders[0]!, "Salesforce-Account")).toEqual([r.id]);
      expect((await objectsOf(holders[0]!, "Salesforce-Contact")).length).toBeLessThanOrEqual(1);
    }

    // One person with an asset, a task, an incident and a ticket: one profile holds them all (rule-based
    // matching joins the person's Salesforce contact, ServiceNow user and Zendesk user).
    const personOf = (type: string) => {
      const m = new Map<string, TruthRow[]>();
      for (const r of truth.get(type)!) m.set(r.personId, [...(m.get(r.personId) ?? []), r]);
      return m;
    };
    const held = Object.fromEntries(DEMO_OBJECTS.map((s) => [s.objectTypeName, personOf(s.objectTypeName)]));
    const everything = ["Salesforce-Contact", "Salesforce-Asset", "Servicenow-sys_user", "Servicenow-task"];
    const rich = [...held["Salesforce-Contact"]!.keys()].filter(
      (p) =>
        everything.every((type) => held[type]!.has(p)) &&
        held["Zendesk-users"]!.has(p) &&
        held["Zendesk-tickets"]!.has(p),
    );
    expect(rich.length).toBeGreaterThan(0);
    const someone = rich[0]!;
    const contact = held["Salesforce-Contact"]!.get(someone)![0]!;
    const profileId = await profileBy(contact.profileKey);
    for (const s of DEMO_OBJECTS.filter((o) => o.object !== "Account")) {
      const expected = (held[s.objectTypeName]!.get(someone) ?? []).map((r) => r.id);
      expect((await objectsOf(profileId, s.objectTypeName)).sort(), s.objectTypeName).toEqual(
        expected.sort(),
      );
    }
  }, 180_000);

  it("assets ingested before their contacts never fold two contacts into one profile", async () => {
    const domain = "assets-first";
    const { after: contact, rows: contacts } = await ingestAfter(domain, "Asset", "Contact");
    const folded: string[] = [];
    for (const r of contacts) {
      const profileId = (await profilesBy(r.profileKey, domain))[0];
      if (!profileId) continue;
      if ((await objectsOf(profileId, contact.objectTypeName, domain)).length > 1) folded.push(r.id);
    }
    expect(folded).toEqual([]);
  }, 60_000);

  // Known limitation (docs/templates.md): identity resolution counts search-only stored values as owners, so
  // an account whose id one profile alone holds (here an asset's, whose contact is not held) joins it.
  // This test turns green when resolution counts only values stored by keys that may match.
  it.fails("an account arriving after its company's lone asset still gets a profile of its own", async () => {
    const domain = "accounts-after";
    const { before: asset, after: account, rows: accounts } = await ingestAfter(domain, "Asset", "Account");
    const folded: string[] = [];
    for (const r of accounts) {
      for (const p of await profilesBy(r.profileKey, domain)) {
        const types = await Promise.all(
          [account, asset].map(async (o) => (await objectsOf(p, o.objectTypeName, domain)).length),
        );
        if (types[0]! > 0 && types[1]! > 0) folded.push(r.id);
      }
    }
    expect(folded).toEqual([]);
  }, 60_000);

  it("the projection keeps the top-level field of a reference path and of an expression", async () => {
    const task = DEMO_RELATED_OBJECTS.find((s) => s.object === "task")!;
    const incident = DEMO_RELATED_OBJECTS.find((s) => s.object === "incident")!;
    const account = DEMO_RELATED_OBJECTS.find((s) => s.object === "Account")!;
    expect(await projection(clients, task)).toContain("opened_by");
    expect(await projection(clients, incident)).toContain("caller_id");
    expect(await projection(clients, account)).toContain("IsPersonAccount");
  });

  it("a resumed setup finds each object's own workflow: none is made twice, none is mistaken for another", async () => {
    const world = sandboxes.world;
    const domain = "resume";
    // Flow names are the account's, not the domain's: this domain's flows are named apart. Marketo's bulk
    // export jobs advance with the sandbox clock, which stands still here: its workflow would never end.
    const sources = DEMO_OBJECTS.filter((s) => s.vendor !== "marketo").map((s) => ({
      ...s,
      flowName: `resume-${s.flowName}`,
    }));
    const setUp = () =>
      setUpDemo(clients, {
        domain,
        credentials: sandboxes.credentials,
        start: world.historyStart,
        end: world.historyEnd,
        workflows: true,
        fingerprintKey,
        sources,
      });
    const first = await setUp();
    const ids = first.filter((x) => x.workflowId).map((x) => [x.source.flowName, x.workflowId]);
    // Salesforce, ServiceNow and Marketo objects are backfilled by workflows, Zendesk's incrementally.
    expect(ids.map(([f]) => f).sort()).toEqual(
      sources
        .filter((s) => s.via === "workflow")
        .map((s) => s.flowName)
        .sort(),
    );
    expect(new Set(ids.map(([, id]) => id)).size).toBe(ids.length);
    // The workflows act as the role the setup made, as the console and `profileflow integrate` make it:
    // the seed's least-privilege policy naming the domain's own key, and their actions are the role's.
    const key = (await t.profiles.send(new GetDomainCommand({ DomainName: domain }))).DefaultEncryptionKey;
    expect(key).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    const policy = await clients.iam.send(
      new GetRolePolicyCommand({
        RoleName: `CustomerProfilesWorkflow-${domain}`,
        PolicyName: "CustomerProfilesWorkflowLeastPrivilege",
      }),
    );
    expect(decodeURIComponent(policy.PolicyDocument ?? "")).toContain(`"Resource": "${key}"`);
    const session = /^arn:aws:sts::\d{12}:assumed-role\/CustomerProfilesWorkflow-resume\/profile-wf-/;
    const actedAsRole = await waitFor(async () => {
      const { events } = await t.server.iam.audit.list(t.server.database.db, {
        action: "appflow:CreateFlow",
        limit: 1000,
      });
      return events.find((e) => session.test(e.principalArn) && e.decision === "Allow");
    });
    expect(actedAsRole.resource).toMatch(/^arn:aws:appflow:us-east-1:\d{12}:flow\/resume-demo-/);
    const again = await setUp();
    expect(again.filter((x) => x.workflowId).map((x) => [x.source.flowName, x.workflowId])).toEqual(ids);
    const listed = await t.profiles.send(new ListWorkflowsCommand({ DomainName: domain }));
    expect(listed.Items).toHaveLength(ids.length);
    for (const [, id] of ids)
      await t.profiles.send(new DeleteWorkflowCommand({ DomainName: domain, WorkflowId: id! }));
  }, 60_000);
});
