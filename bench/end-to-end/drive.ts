import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  GetDomainCommand,
  GetWorkflowCommand,
} from "@aws-sdk/client-customer-profiles";
import type { SandboxInfo } from "../shared/contacts-sandbox.ts";
import {
  clientConfig,
  connectSalesforce,
  contactFields,
  contactsWorkflowInput,
  type ServerAccess,
  userClients,
} from "../shared/contacts-workflow.ts";
import { benchWorkflowRole } from "../shared/workflow-role.ts";

/** What one end-to-end run measured. */
export interface E2eResult {
  records: number;
  ms: number;
  status: string;
  steps: number;
  objects: number;
  profiles: number;
  /** How long the GetDomain that read those two figures took (its Stats), in ms. */
  statsMs: number;
  /** The server's memory when the workflow passed 100k and 500k records processed. */
  rssSamples: { records: number; rss: ServerRss }[];
}

/** The server process's memory: resident (peak and now), split into anonymous and file-backed pages, and the JS heap. */
export interface ServerRss {
  nowKb: number;
  peakKb: number;
  /** Private memory (heap, SQLite's page cache, buffers): what the process itself holds. */
  anonKb: number;
  /** Pages of mapped files (SQLite's memory-mapped database among them): the OS page cache, reclaimable. */
  fileKb: number;
  heapUsedKb: number;
  /** V8's heap committed (used or not; prom-client's nodejs_heap_size_total_bytes): the JS heap's share of the anonymous memory. */
  heapCommittedKb?: number;
  /** Memory of JS objects held outside the V8 heap (Buffers, ArrayBuffers). */
  externalKb?: number;
  /** Of fileKb: pages of the memory-mapped SQLite database (and its -shm). */
  dbMapKb?: number;
  /** CPU the server process has used so far (user + system, all its threads), in ms. */
  cpuMs?: number;
  /**
   * Highest values sampled from /proc by the bench since the server started: anonymous memory every
   * 200 ms, RSS without the SQLite map (what issue 18 point 2 bounds) every second.
   */
  peaks?: { anonKb: number; unmappedKb: number };
}

const MINUTE = 60_000;

/** The whole history in three equal batches (whole minutes): the windows both the workflow and the floor read. */
export function threeBatches(info: SandboxInfo): { from: number; to: number }[] {
  const from = Math.floor(info.historyStart / MINUTE) * MINUTE;
  const step = Math.ceil((info.end - from) / 3 / MINUTE) * MINUTE;
  return [0, 1, 2].map((i) => ({ from: from + i * step, to: Math.min(info.end, from + (i + 1) * step) }));
}

/**
 * What a user's script does, through the AWS SDK only: domain, Secrets Manager secret, Salesforce connector
 * profile, a three-batch CreateIntegrationWorkflow; then polls GetWorkflow until it is COMPLETE.
 */
export async function driveWorkflow(
  server: ServerAccess,
  info: SandboxInfo,
  rss: () => Promise<ServerRss>,
  /** Runs once the domain exists (`--plain`: its data key is dropped, so payloads are stored unsealed). */
  afterDomain: () => Promise<void> = async () => {},
): Promise<E2eResult> {
  const { profiles, appflow, secrets } = userClients(server);
  await profiles.send(new CreateDomainCommand({ DomainName: "e2e", DefaultExpirationDays: 366 }));
  await afterDomain();
  const connectorProfileName = await connectSalesforce({ appflow, secrets }, info, "e2e");
  const fields = await contactFields(profiles);
  const kmsArn = (await profiles.send(new GetDomainCommand({ DomainName: "e2e" }))).DefaultEncryptionKey!;
  const roleArn = await benchWorkflowRole(clientConfig(server), { name: "e2e", keyArn: kmsArn });
  const t0 = performance.now();
  const made = await profiles.send(
    new CreateIntegrationWorkflowCommand(
      contactsWorkflowInput({
        domain: "e2e",
        flowName: "e2e-contacts",
        kmsArn,
        connectorProfileName,
        roleArn,
        windows: threeBatches(info),
        fields,
      }),
    ),
  );
  const id = made.WorkflowId ?? "";
  const rssSamples: { records: number; rss: ServerRss }[] = [];
  // PROFILEFLOW_BENCH_SAMPLE_AT=30000,60000: where to sample the server (and snapshot its heap, when asked).
  const sampleAt = (process.env["PROFILEFLOW_BENCH_SAMPLE_AT"] ?? "100000,500000")
    .split(",")
    .map((n) => {
      if (!/^[1-9][0-9]*$/.test(n.trim()))
        throw new Error(`PROFILEFLOW_BENCH_SAMPLE_AT: not a record count: ${n}`);
      return Number(n);
    })
    .sort((a, b) => a - b);
  let last = Date.now();
  for (;;) {
    const wf = await profiles.send(new GetWorkflowCommand({ DomainName: "e2e", WorkflowId: id }));
    const m = wf.Metrics?.AppflowIntegration;
    const records = m?.RecordsProcessed ?? 0;
    while (sampleAt.length > 0 && records >= sampleAt[0]!) {
      rssSamples.push({ records: sampleAt.shift()!, rss: await rss() });
    }
    if (Date.now() - last > 15_000) {
      last = Date.now();
      console.log(
        `  … ${records.toLocaleString("en-US")} records, ${m?.StepsCompleted}/${m?.TotalSteps} steps`,
      );
    }
    if (wf.Status === "COMPLETE" || wf.Status === "FAILED") {
      const ms = performance.now() - t0;
      const asked = performance.now();
      const stats = (await profiles.send(new GetDomainCommand({ DomainName: "e2e" }))).Stats;
      const statsMs = performance.now() - asked;
      for (const c of [profiles, appflow, secrets]) c.destroy();
      return {
        records,
        ms,
        status: wf.Status,
        steps: m?.TotalSteps ?? 0,
        objects: stats?.ObjectCount ?? 0,
        profiles: stats?.ProfileCount ?? 0,
        statsMs,
        rssSamples,
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
