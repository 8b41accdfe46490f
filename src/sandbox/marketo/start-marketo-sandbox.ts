/** Starts the Marketo simulator: REST, bulk and identity paths at the root, admin under `/__sandbox/`. */
import { randomUUID } from "node:crypto";
import { hash32, type ObjectStore, SandboxWorld, startServer, type WorldOptions } from "../core/index.ts";
import { BulkExportJobs, type BulkExportOptions } from "./bulk-export-jobs.ts";
import { buildExport } from "./bulk-routes.ts";
import type { MarketoContext } from "./context.ts";
import { leadDef } from "./lead-def.ts";
import { CallLimits } from "./limits.ts";
import { createMarketoHandler } from "./marketo-handler.ts";
import { TokenIssuer } from "./token-issuer.ts";

/** Options: a shared world (from startSandboxes) or the world options to make one. */
export interface MarketoSandboxOptions extends WorldOptions {
  world?: SandboxWorld;
  port?: number;
  host?: string;
  /** Most activities one activities page scans before it returns short (default 1,000). */
  activityScanLimit?: number;
  /** Wall ms each API call stays in flight (default 0); lets tests reach the 615 concurrency limit. */
  processingMs?: number;
  /** Bulk extract behaviour; `updatedAtFilter: false` reproduces subscriptions without it (1035). */
  bulk?: Partial<Pick<BulkExportOptions, "updatedAtFilter" | "maxProcessing" | "maxQueued" | "tickMs">> & {
    /** Daily export allocation in bytes before the rate-limit scale knob (default 500 MB). */
    dailyQuotaBytes?: number;
  };
}

/** What a client needs to connect (the AppFlow Marketo connector profile's members). */
export interface MarketoCredentials {
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
}

/** A running Marketo simulator. */
export interface MarketoSandbox {
  url: string;
  port: number;
  credentials: MarketoCredentials;
  world: SandboxWorld;
  leads: ObjectStore;
  close(): Promise<void>;
}

/** Registers Marketo leads in `world` (idempotent) and returns the store. */
export function registerMarketo(world: SandboxWorld): ObjectStore {
  return world.store("marketo", "leads") ?? world.register(leadDef(world.population));
}

/** Credentials derived from the seed, so a restarted sandbox keeps them. */
function credentialsOf(seed: number): { clientId: string; clientSecret: string } {
  const hex = (salt: number) =>
    [1, 2, 3, 4].map((k) => hash32(seed, salt, k).toString(16).padStart(8, "0")).join("");
  const id = hex(11);
  return {
    clientId: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    clientSecret: hex(12),
  };
}

/** Starts the Marketo simulator on its own port. */
export async function startMarketoSandbox(options: MarketoSandboxOptions = {}): Promise<MarketoSandbox> {
  const world = options.world ?? new SandboxWorld(options);
  const leads = registerMarketo(world);
  const { clientId, clientSecret } = credentialsOf(world.seed);
  const ctx: MarketoContext = {
    world,
    leads,
    issuer: new TokenIssuer(clientId, clientSecret),
    limits: new CallLimits(),
    jobs: new BulkExportJobs((job, at) => buildExport({ leads }, job, at), randomUUID, options.bulk ?? {}),
    exportQuotaBytes: options.bulk?.dailyQuotaBytes ?? 500 * 1024 * 1024,
    activityScanLimit: options.activityScanLimit ?? 1000,
    processingMs: options.processingMs ?? 0,
  };
  const server = await startServer({
    world,
    vendor: "marketo",
    handler: createMarketoHandler(ctx),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
  });
  return {
    url: server.url,
    port: server.port,
    world,
    leads,
    credentials: { instanceUrl: server.url, clientId, clientSecret },
    close: () => server.close(),
  };
}
