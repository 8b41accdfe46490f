import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClients } from "../../src/cli/commands/integrate.ts";
import { printStatus } from "../../src/cli/commands/status.ts";
import { systemTimer } from "../../src/connectors/sdk/index.ts";
import { type DemoClients, type DemoTrack, setUpDemo } from "../../src/demo/demo-setup.ts";
import { DEMO_SOURCES } from "../../src/demo/demo-sources.ts";
import { trackStatus } from "../../src/demo/demo-status.ts";
import { formatSummary, summarize } from "../../src/demo/demo-summary.ts";
import { InstanceLimits } from "../../src/flows/instance-limits/instance-limits.ts";
import { SandboxWorld } from "../../src/sandbox/core/world.ts";
import {
  startZendeskSandbox,
  type ZendeskCredentials,
  type ZendeskSandbox,
} from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { CLOCK_BEHIND_MS, nthRun, STEP_MS, serverOn } from "../e2e/integration-harness.ts";
import { SandboxAdmin } from "../e2e/sandbox-admin.ts";
import { closeDemoClients, demoClients } from "../helpers/demo-clients.ts";
import type { TestServer } from "../helpers/test-server.ts";

const DOMAIN = "demo";
const zendesk = DEMO_SOURCES.find((s) => s.vendor === "zendesk")!;
const FLOW = zendesk.flowName;

// The clock stands still between the steps a test takes: a scheduled run comes only with `advance`.
// 10 export requests a minute would make each run wait seconds of wall time: the sandbox and the instance
// allow more, as in test/e2e/zendesk-sync.test.ts.
const world = new SandboxWorld({
  seed: 9,
  people: 30,
  clock: { start: Date.now() - CLOCK_BEHIND_MS, speed: 0 },
  knobs: { rateLimitScale: 20 },
});
let zd: ZendeskSandbox;
let t: TestServer;
let clients: DemoClients;

beforeAll(async () => {
  zd = await startZendeskSandbox({ world });
  t = await serverOn("sqlite", world.clock);
  await new InstanceLimits({ db: t.server.database.db, clock: world.clock, timer: systemTimer }).configure(
    "Zendesk",
    zd.url,
    { maxConcurrent: 2, requestsPerSecond: 2, burst: 4 },
  );
  clients = demoClients(t);
});
afterAll(async () => {
  closeDemoClients(clients);
  await t?.close();
  await zd?.close();
});

function sink(): NodeJS.WritableStream & { text: () => string } {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return Object.assign(s, { text: () => Buffer.concat(chunks).toString("utf8") });
}

const fingerprintKey = randomBytes(32);

/** The demo's setup for the Zendesk source alone, as a resumed run would call it. */
const setUp = (credentials: ZendeskCredentials, sent?: Record<string, string>) =>
  setUpDemo(clients, {
    domain: DOMAIN,
    credentials: { zendesk: { ...credentials } },
    start: world.historyEnd - 30 * 86_400_000,
    end: world.historyEnd,
    workflows: false,
    sources: [zendesk],
    ...(sent ? { sent } : {}),
    fingerprintKey,
  });

/** What the demo's summary and `profileflow status` print for the domain now. */
async function outputs(track: DemoTrack) {
  const statuses = [await trackStatus(clients, DOMAIN, track, 0)];
  const context = { domain: DOMAIN, since: "", historyEnd: "", sandboxes: {}, endpoint: t.endpoint };
  const summary = formatSummary(await summarize(clients, t.server, context, statuses));
  const out = sink();
  const notUsed = () => Promise.reject(new Error("not used"));
  const api: ApiClients = {
    endpoint: t.endpoint,
    region: "us-east-1",
    profiles: t.profiles,
    appflow: t.appflow,
    // `status` reads no role: IAM is never called.
    iam: {} as ApiClients["iam"],
    extension: notUsed,
    extensionGet: notUsed,
    close: () => {},
  };
  await printStatus(api, DOMAIN, out);
  return { status: statuses[0]!, summary, printed: out.text() };
}

it("a restarted sandbox's new credentials are sent on resume; until then both outputs say why the flow fails and what to do", async () => {
  // The first run connects with a token that dies with the sandbox (the Zendesk sandbox of issue 19 minted
  // a new one at each start).
  const minted = (await (
    await fetch(`${zd.url}/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: zd.credentials.clientId,
        client_secret: zd.credentials.clientSecret,
      }),
    })
  ).json()) as { access_token: string };
  const [first] = await setUp({ ...zd.credentials, accessToken: minted.access_token });
  expect(first).toMatchObject({ connection: "created" });
  expect((await nthRun(t, FLOW, 1)).executionStatus).toBe("Successful");
  const sent = { [zendesk.connectorProfileName]: first!.sent };

  // Restart the sandbox on the same port: the minted token is unknown to it.
  const port = Number(new URL(zd.url).port);
  await zd.close();
  zd = await startZendeskSandbox({ world, port });
  const admin = new SandboxAdmin(zd.url);
  await admin.advance(STEP_MS);
  const failed = await nthRun(t, FLOW, 2);
  expect(failed.executionStatus).toBe("Error");
  expect(failed.executionResult?.errorInfo?.executionMessage).toMatch(
    /^The source rejected the credentials: .*Couldn't authenticate you/,
  );
  // Nothing was read: the window has its start only, never an end before it.
  expect(failed.dataPullEndTime).toBeUndefined();

  const broken = await outputs(first!);
  expect(broken.status).toMatchObject({ lastStatus: "Error" });
  const reason = failed.executionResult!.errorInfo!.executionMessage!;
  expect(broken.summary).toContain(`failed: ${reason}`);
  expect(broken.summary).toMatch(
    /what to do: update the connection: .*--connector-profile-name demo-zendesk/,
  );
  expect(broken.printed).toContain(`${FLOW}: the last run failed: ${reason}`);
  expect(broken.printed).toMatch(
    /what to do: update the connection: .*--connector-profile-name demo-zendesk/,
  );

  // The resumed demo compares what it sent with what the sandbox hands out now, and sends the change.
  const [resumed] = await setUp(zd.credentials, sent);
  expect(resumed).toMatchObject({ connection: "updated" });
  expect(resumed!.sent).not.toBe(first!.sent);
  await admin.advance(STEP_MS);
  expect((await nthRun(t, FLOW, 3)).executionStatus).toBe("Successful");
  const fixed = await outputs(resumed!);
  expect(fixed.status).toMatchObject({ lastStatus: "Successful" });
  expect(fixed.summary).not.toContain("what to do");
  expect(fixed.printed).not.toContain("what to do");

  // Unchanged credentials are left alone.
  const [again] = await setUp(zd.credentials, { [zendesk.connectorProfileName]: resumed!.sent });
  expect(again).toMatchObject({ connection: "unchanged", sent: resumed!.sent });
}, 120_000);
