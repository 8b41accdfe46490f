import { randomBytes } from "node:crypto";
import { ListProfileObjectsCommand, SearchProfilesCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DemoClients, setUpDemo } from "../../src/demo/demo-setup.ts";
import { DEMO_OBJECTS } from "../../src/demo/demo-sources.ts";
import { type Sandboxes, startSandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { nthRun } from "../e2e/integration-harness.ts";
import { SandboxAdmin, type TruthRow } from "../e2e/sandbox-admin.ts";
import { closeDemoClients, demoClients } from "../helpers/demo-clients.ts";
import { waitFor } from "../helpers/wait-for.ts";
import {
  type ConsoleHarness,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  STARTUP_MS,
  screenshot,
  startConsole,
} from "./console-harness.ts";

const DOMAIN = "related";
/** Each vendor's person object and its related objects (the demo's templates; Marketo and accounts left out). */
const TYPES = [
  "Salesforce-Contact",
  "Salesforce-Asset",
  "Servicenow-sys_user",
  "Servicenow-incident",
  "Zendesk-users",
  "Zendesk-tickets",
];
/** The related objects the profile page must show, with the sandbox's object holding their truth. */
const RELATED = [
  { type: "Salesforce-Asset", vendor: "salesforce", object: "Asset" },
  { type: "Servicenow-incident", vendor: "servicenow", object: "incident" },
  { type: "Zendesk-tickets", vendor: "zendesk", object: "tickets" },
] as const;

describeConsole("a unified profile with its related objects (chromium)", () => {
  let h: ConsoleHarness;
  let sandboxes: Sandboxes;
  let clients: DemoClients;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ seed: 17, people: 60, knobs: { rateLimitScale: 20 } });
    h = await startConsole("sqlite", { workers: true });
    clients = demoClients(h.server);
    // The demo's integrations of those objects, as `profileflow demo` makes them (continuous, no workflows).
    const sources = DEMO_OBJECTS.filter((s) => TYPES.includes(s.objectTypeName));
    expect(sources).toHaveLength(TYPES.length);
    await setUpDemo(clients, {
      domain: DOMAIN,
      credentials: sandboxes.credentials,
      start: sandboxes.world.historyStart,
      end: sandboxes.world.historyEnd,
      workflows: false,
      fingerprintKey: randomBytes(32),
      sources,
    });
    for (const s of sources) {
      const run = await nthRun(h.server, s.flowName, 1);
      expect(run.executionStatus, `${s.flowName}: ${run.executionResult?.errorInfo?.executionMessage}`).toBe(
        "Successful",
      );
    }
  }, STARTUP_MS);
  afterAll(async () => {
    closeDemoClients(clients);
    await h?.close();
    await sandboxes?.close();
  }, STARTUP_MS);

  /** The ids of the objects of `type` that the profile holds. */
  const objectsOf = async (profileId: string, type: string): Promise<string[]> => {
    const r = await h.server.profiles.send(
      new ListProfileObjectsCommand({
        DomainName: DOMAIN,
        ProfileId: profileId,
        ObjectTypeName: type,
        MaxResults: 100,
      }),
    );
    return (r.Items ?? []).map((o) => o.ProfileObjectUniqueKey!);
  };

  it("shows a person whose profile holds an asset, an incident and a ticket, each in Objects", async () => {
    // A person the sandboxes gave all three, from the vendors' truth.
    const truth = new Map<string, TruthRow[]>();
    for (const r of RELATED) {
      const rows = await new SandboxAdmin(sandboxes.servers[r.vendor]!.url).truth(r.object);
      truth.set(
        r.type,
        rows.filter((x) => !x.deleted && x.stamp >= sandboxes.world.historyStart),
      );
    }
    const people = [...new Set(truth.get("Salesforce-Asset")!.map((r) => r.personId))].filter((person) =>
      RELATED.every((r) => truth.get(r.type)!.some((x) => x.personId === person)),
    );
    expect(
      people.length,
      RELATED.map((r) => `${r.type}: ${new Set(truth.get(r.type)!.map((x) => x.personId)).size} people`).join(
        ", ",
      ),
    ).toBeGreaterThan(0);
    // Their profile: the one the asset's person key finds, holding all three once matching joined them.
    const found = await waitFor(
      async () => {
        for (const person of people) {
          const asset = truth.get("Salesforce-Asset")!.find((x) => x.personId === person)!;
          const search = await h.server.profiles.send(
            new SearchProfilesCommand({
              DomainName: DOMAIN,
              KeyName: asset.profileKey.key,
              Values: [asset.profileKey.value],
            }),
          );
          for (const profile of search.Items ?? []) {
            const held: Record<string, string> = {};
            for (const r of RELATED) {
              const ids = await objectsOf(profile.ProfileId!, r.type);
              const mine = truth.get(r.type)!.find((x) => x.personId === person && ids.includes(x.id));
              if (mine) held[r.type] = mine.id;
            }
            if (Object.keys(held).length === RELATED.length) return { profile, held };
          }
        }
        return undefined;
      },
      { what: "a profile holding an asset, an incident and a ticket of one person", timeoutMs: 60_000 },
    );
    const { profile, held } = found;
    const name = [profile.FirstName, profile.LastName].filter(Boolean).join(" ") || profile.ProfileId!;

    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${DOMAIN}/profiles/${profile.ProfileId}`);
    await p.page.getByRole("heading", { name, exact: true }).waitFor();
    const objects = p.page
      .getByRole("heading", { name: /^Objects/ })
      .locator("xpath=ancestor::*[.//table][1]");
    await objects.getByRole("table").waitFor();
    for (const r of RELATED) {
      await objects.getByRole("searchbox", { name: "Filter objects" }).fill(held[r.type]!);
      await objects
        .getByRole("row")
        .filter({ hasText: r.type })
        .filter({ hasText: held[r.type]! })
        .first()
        .waitFor();
    }
    await expectAccessible(p, "a profile with related objects");
    await objects.getByRole("searchbox", { name: "Filter objects" }).fill("");
    await screenshot(p, "profile-related-objects");
    expectCleanConsole(p);
  });
});
