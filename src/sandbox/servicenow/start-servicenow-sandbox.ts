import { startServer } from "../core/http.ts";
import type { ObjectDef } from "../core/object-def.ts";
import type { ObjectStore } from "../core/object-store.ts";
import { SandboxWorld, type WorldOptions } from "../core/world.ts";
import { serviceNowHandler } from "./servicenow-handler.ts";
import { incidentDef, incidentsPerUser, sysUserDef } from "./servicenow-objects.ts";
import { buildTables } from "./tables.ts";

/** Options of the ServiceNow sandbox: a world of its own (WorldOptions) or a shared `world`. */
export interface ServiceNowSandboxOptions extends WorldOptions {
  world?: SandboxWorld;
  port?: number;
  host?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  /** Inbound REST rate-limit rule per user per hour, before the rate-limit scale knob (default 10,000). */
  rateLimitPerHour?: number;
}

/** What a running ServiceNow sandbox hands to clients. */
export interface ServiceNowCredentials {
  instanceUrl: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

/** A running ServiceNow sandbox. */
export interface ServiceNowSandbox {
  url: string;
  credentials: ServiceNowCredentials;
  world: SandboxWorld;
  close(): Promise<void>;
}

function storeOf(world: SandboxWorld, def: ObjectDef): ObjectStore {
  return world.store(def.vendor, def.name) ?? world.register(def);
}

/**
 * Starts the ServiceNow simulator: Basic auth and `/oauth_token.do`, the Table API for sys_user, incident,
 * task and sys_audit_delete, the shared admin API under `/__sandbox/`.
 */
export async function startServiceNowSandbox(
  options: ServiceNowSandboxOptions = {},
): Promise<ServiceNowSandbox> {
  const world = options.world ?? new SandboxWorld(options);
  const pop = world.population;
  const users = storeOf(world, sysUserDef(pop));
  const callers = pop.children(pop.count("servicenow"), incidentsPerUser, "servicenow/incident");
  const incidents = storeOf(world, incidentDef(pop, callers));
  let url = "";
  const credentials = {
    username: options.username ?? "profileflow.integration",
    password: options.password ?? `sandbox-${world.seed}-servicenow`,
    clientId: options.clientId ?? "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    clientSecret: options.clientSecret ?? `sandbox-${world.seed}-secret`,
  };
  const { handler } = serviceNowHandler({
    world,
    tables: buildTables(users, incidents),
    instanceUrl: () => url,
    ...credentials,
    ...(options.rateLimitPerHour !== undefined ? { rateLimitPerHour: options.rateLimitPerHour } : {}),
  });
  const handle = await startServer({
    world,
    vendor: "servicenow",
    handler,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  url = handle.url;
  return { url, credentials: { instanceUrl: url, ...credentials }, world, close: handle.close };
}
