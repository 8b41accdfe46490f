import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppflowClient } from "@aws-sdk/client-appflow";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { loadConfig } from "../config/config.ts";
import type { Timer } from "../connectors/sdk/index.ts";
import { createLogger } from "../core/logger.ts";
import { writeFileAtomic } from "../core/write-file-atomic.ts";
import { composeServer, type Server } from "../main.ts";
import { type Sandboxes, startSandboxes } from "../sandbox/start-sandboxes.ts";
import { exploreHelp } from "./demo-help.ts";
import { DemoProgress } from "./demo-progress.ts";
import { addMonths, type DemoClients, type DemoTrack, setUpDemo } from "./demo-setup.ts";
import { objectsByVendor } from "./demo-sources.ts";
import { type DemoState, openDemoState } from "./demo-state.ts";
import { type TrackStatus, trackStatus } from "./demo-status.ts";
import { type DemoSummary, failureLines, formatSummary, summarize } from "./demo-summary.ts";

/** Options of `profileflow demo`. */
export interface DemoOptions {
  people: number;
  dataDir: string;
  /** The API's port; the sandboxes take the next four (0: any free ports). */
  port: number;
  host?: string;
  seed?: number;
  /** Sandbox clock speed: vendor minutes per wall minute. */
  speed: number;
  /** Churn per sandbox minute and object: `churn` creates, 2×`churn` updates, `churn`/2 deletes. */
  churn: number;
  /** Environment for the server's config (DATABASE_URL selects PostgreSQL). */
  env?: Record<string, string | undefined>;
  out?: NodeJS.WriteStream;
  pollMs?: number;
}

/** A running demo. */
export interface DemoRun {
  endpoint: string;
  /** Resolves with the first summary once every source is caught up. */
  caughtUp: Promise<DemoSummary>;
  /** Stops polling, the server (workers drain) and the sandboxes (their clock is frozen and saved). */
  stop(): Promise<DemoSummary | undefined>;
}

const DOMAIN = "demo";
const MINUTE = 60_000;

/** The connectors' time follows the sandbox clock, so vendor waits (Marketo's bulk polling) keep its pace. */
function worldTimer(s: Sandboxes): Timer {
  return {
    now: () => s.world.clock.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms) / Math.max(1, s.world.clock.speed || 1))),
  };
}

/** Starts the sandboxes and the server, sets everything up through the SDK, and follows it to a stable state. */
export async function runDemo(o: DemoOptions): Promise<DemoRun> {
  const out = o.out ?? process.stdout;
  const dataDir = resolve(o.dataDir);
  const stateFile = openDemoState(dataDir);
  if (stateFile.warning) out.write(`Warning: ${stateFile.warning}.\n`);
  mkdirSync(join(dataDir, "server"), { recursive: true, mode: 0o700 });
  const previous = stateFile.previous;
  const sandboxes = await startSandboxes({
    people: o.people,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    dataDir: join(dataDir, "sandbox"),
    ...(o.port ? { port: o.port + 1 } : {}),
    ...(o.host ? { host: o.host } : {}),
    clock: { speed: o.speed },
    knobs: { churn: { creates: o.churn, updates: 2 * o.churn, deletes: Math.floor(o.churn / 2) } },
  });
  // A resumed world was frozen at the last stop: set it moving again.
  sandboxes.world.clock.setSpeed(o.speed);
  let server: Server;
  try {
    const config = loadConfig({
      env: o.env ?? {},
      flags: { port: o.port, dataDir: join(dataDir, "server"), ...(o.host ? { host: o.host } : {}) },
    });
    server = await composeServer(config, {
      logger: createLogger(config.logLevel, createWriteStream(join(dataDir, "server.log"), { flags: "a" })),
      engine: { timer: worldTimer(sandboxes) },
    });
  } catch (e) {
    await sandboxes.close();
    throw e;
  }
  const address = await server.app.listen({ port: server.config.port, host: server.config.host });
  const endpoint = address.replace("[::1]", "127.0.0.1");
  await server.startWorkers();
  const creds = { accessKeyId: server.rootKey.accessKeyId, secretAccessKey: server.rootKey.secretAccessKey };
  const clientConfig = { endpoint, region: server.config.region, credentials: creds };
  const clients: DemoClients = {
    profiles: new CustomerProfilesClient(clientConfig),
    appflow: new AppflowClient(clientConfig),
    secrets: new SecretsManagerClient(clientConfig),
    iam: new IAMClient(clientConfig),
  };
  // The history ends a few minutes back on both clocks: past the vendors' lag, and already past for the server.
  const end =
    previous?.historyEnd ??
    Math.floor((Math.min(Date.now(), sandboxes.world.clock.now()) - 3 * MINUTE) / MINUTE) * MINUTE;
  const state: DemoState = {
    since: previous?.since ?? addMonths(end, -6),
    historyEnd: end,
    runs: (previous?.runs ?? 0) + 1,
    ...(previous?.sent ? { sent: previous.sent } : {}),
  };
  stateFile.save(state);
  const sandboxUrls = Object.fromEntries(Object.entries(sandboxes.servers).map(([v, s]) => [v, s.url]));
  const pop = sandboxes.world.population;
  const f = (n: number) => n.toLocaleString("en-US");
  // profileflow's own URLs come first (the console, then the API): the first URL a reader sees is the one to use.
  out.write(
    `profileflow demo (run ${state.runs}${previous ? ", resuming" : ""}): ${f(o.people)} people, of whom ${f(pop.count("salesforce"))} are Salesforce contacts, ` +
      `${f(pop.count("servicenow"))} ServiceNow users, ${f(pop.count("marketo"))} Marketo leads and ${f(pop.count("zendesk"))} Zendesk users\n` +
      `  console     ${endpoint}/console/   sign in with Access key ID ${creds.accessKeyId} and Secret access key ${creds.secretAccessKey}\n` +
      `  profileflow ${endpoint}   the endpoint to use: AWS SDK / CLI, credentials in ${join(dataDir, "server", "credentials")}\n` +
      "  the simulated vendors it reads from:\n" +
      Object.entries(sandboxUrls)
        .map(([v, u]) => `    ${v.padEnd(10)} ${u}   (admin: ${u}/__sandbox/)\n`)
        .join("") +
      `  the vendors' clock runs ${o.speed}× wall speed, ${o.churn > 0 ? "with records created, changed and deleted as it goes" : "with no churn"}; data in ${dataDir}\n\n`,
  );

  const runStart = Date.now();
  let tracks: DemoTrack[];
  try {
    tracks = await setUpDemo(clients, {
      domain: DOMAIN,
      credentials: sandboxes.credentials,
      start: state.since,
      end: state.historyEnd,
      workflows: true,
      ...(previous?.sent ? { sent: previous.sent } : {}),
      fingerprintKey: stateFile.fingerprintKey,
    });
  } catch (e) {
    await shutdown();
    throw e;
  }
  state.sent = Object.fromEntries(tracks.map((t) => [t.source.connectorProfileName, t.sent]));
  stateFile.save(state);
  // One connector profile per vendor, shared by its objects' tracks.
  const updated = [
    ...new Set(
      tracks
        .filter((t) => t.connection === "updated")
        .map((t) => `${t.source.connectorProfileName} (${t.source.vendor})`),
    ),
  ];
  if (previous && updated.length > 0) {
    out.write(
      `Updated the connections whose sandbox URL or credentials changed since the last run: ${updated.join(", ")}.\n`,
    );
  }
  out.write(
    `${previous ? "Found" : "Created"} through the AWS SDK: domain "${DOMAIN}", a Secrets Manager secret, four connector profiles,\n` +
      `bulk workflows (3 two-month batches since ${new Date(state.since).toISOString().slice(0, 10)}) for ${objectsByVendor(
        tracks.filter((t) => t.workflowId).map((t) => t.source),
      )},\nincremental export for ${objectsByVendor(
        tracks.filter((t) => !t.workflowId).map((t) => t.source),
      )}; every flow then syncs each minute.\n\n`,
  );
  const atStart = new Map<string, number>();
  for (const t of tracks)
    atStart.set(t.source.flowName, (await trackStatus(clients, DOMAIN, t, runStart)).records);
  const context = {
    domain: DOMAIN,
    since: new Date(state.since).toISOString(),
    historyEnd: new Date(state.historyEnd).toISOString(),
    sandboxes: sandboxUrls,
    endpoint,
  };
  const progress = new DemoProgress(out);
  let stopped = false;
  let latest: TrackStatus[] = [];
  let resolveCaughtUp!: (s: DemoSummary) => void;
  let rejectCaughtUp!: (e: unknown) => void;
  const caughtUp = new Promise<DemoSummary>((res, rej) => {
    resolveCaughtUp = res;
    rejectCaughtUp = rej;
  });
  caughtUp.catch(() => {});
  const summaryPath = join(dataDir, "summary.json");
  const report = async (statuses: TrackStatus[]) => {
    const s = await summarize(clients, server, context, statuses);
    writeFileAtomic(summaryPath, `${JSON.stringify(s, null, 2)}\n`);
    return s;
  };
  const poll = async () => {
    let wasCaughtUp = false;
    let lastExecutions = -1;
    while (!stopped) {
      try {
        latest = await Promise.all(
          tracks.map((t) =>
            trackStatus(
              clients,
              DOMAIN,
              t,
              runStart,
              t.workflowId ? (atStart.get(t.source.flowName) ?? 0) : 0,
            ),
          ),
        );
        if (stopped) break;
        const all = latest.every((s) => s.caughtUp);
        const executions = latest.reduce((a, s) => a + s.executions, 0);
        if (!wasCaughtUp) progress.update(latest);
        if (all && !wasCaughtUp) {
          wasCaughtUp = true;
          lastExecutions = executions;
          progress.stop();
          const s = await report(latest);
          out.write(
            `\nCaught up after ${((Date.now() - runStart) / 1000).toFixed(1)} s.\n${formatSummary(s)}\n`,
          );
          out.write(await exploreHelp(server, endpoint, dataDir));
          out.write(
            "\nStill syncing every minute while the sandboxes change; Ctrl-C stops (run again to resume).\n",
          );
          resolveCaughtUp(s);
        } else if (wasCaughtUp && executions !== lastExecutions && !latest.some((s) => s.running)) {
          lastExecutions = executions;
          const s = await report(latest);
          out.write(
            `${new Date().toISOString().slice(11, 19)} synced: ${s.profiles.toLocaleString("en-US")} profiles, ${s.objects.toLocaleString("en-US")} objects, ${s.joinedAcrossSources.toLocaleString("en-US")} joined, ${s.deadLetters} dead letters, ${s.ingestedThisRun.toLocaleString("en-US")} records read this run\n` +
              latest
                .filter((t) => t.lastStatus === "Error")
                .map(
                  (t) =>
                    `  ${t.vendor} ${t.object}: last run ${failureLines(t, "    ").join("\n").trimStart()}\n`,
                )
                .join(""),
          );
        }
      } catch (e) {
        if (!stopped) out.write(`  (status poll failed: ${(e as Error).message})\n`);
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  };
  const polling = poll();

  async function shutdown(): Promise<void> {
    for (const c of Object.values(clients)) c.destroy();
    await server.close();
    // Freeze the vendors' world so a later run resumes it where it stood (no catch-up storm of churn).
    sandboxes.world.clock.setSpeed(0);
    await sandboxes.close();
  }

  return {
    endpoint,
    caughtUp,
    stop: async () => {
      stopped = true;
      await polling;
      progress.stop();
      let final: DemoSummary | undefined;
      try {
        final = await report(latest);
      } catch {
        final = undefined;
      }
      await shutdown();
      rejectCaughtUp(new Error("stopped"));
      return final;
    },
  };
}
