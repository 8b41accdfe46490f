import { startServer } from "../core/http.ts";
import type { ObjectDef } from "../core/object-def.ts";
import type { ObjectStore } from "../core/object-store.ts";
import { SandboxWorld, type WorldOptions } from "../core/world.ts";
import { NUMERIC_ID_BASE } from "../population/ids.ts";
import { zendeskHandler } from "./zendesk-handler.ts";
import { ticketsDef, ticketsPerUser, usersDef } from "./zendesk-objects.ts";
import { ZendeskTokens } from "./zendesk-tokens.ts";

/** Options of the Zendesk sandbox: a world of its own (WorldOptions) or a shared `world`. */
export interface ZendeskSandboxOptions extends WorldOptions {
  world?: SandboxWorld;
  port?: number;
  host?: string;
  email?: string;
  apiToken?: string;
  clientId?: string;
  clientSecret?: string;
}

/**
 * What a running Zendesk sandbox hands to clients: the access token never expires and, being derived from the
 * seed, survives a restart of the sandbox; a refresh rotates it.
 */
export interface ZendeskCredentials {
  instanceUrl: string;
  email: string;
  apiToken: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
}

/** A running Zendesk sandbox. */
export interface ZendeskSandbox {
  url: string;
  credentials: ZendeskCredentials;
  world: SandboxWorld;
  close(): Promise<void>;
}

function storeOf(world: SandboxWorld, def: ObjectDef): ObjectStore {
  return world.store(def.vendor, def.name) ?? world.register(def);
}

/**
 * Starts the Zendesk simulator: API-token and OAuth auth, `users/me`, the users list, and cursor-based and
 * time-based incremental exports of users and tickets, with the shared admin API under `/__sandbox/`.
 */
export async function startZendeskSandbox(options: ZendeskSandboxOptions = {}): Promise<ZendeskSandbox> {
  const world = options.world ?? new SandboxWorld(options);
  const pop = world.population;
  const users = storeOf(world, usersDef(pop));
  const tickets = storeOf(
    world,
    ticketsDef(pop, pop.children(pop.count("zendesk"), ticketsPerUser, "zendesk/tickets")),
  );
  const tokens = new ZendeskTokens(world.clock);
  const initial = tokens.issueInitial(world.seed, "read write");
  let url = "";
  const secrets = {
    email: options.email ?? "admin@sandbox.example.com",
    apiToken: options.apiToken ?? `sandbox${world.seed}apitoken0000000000000000`,
    clientId: options.clientId ?? "profileflow_sandbox",
    clientSecret: options.clientSecret ?? `sandbox-${world.seed}-zendesk-secret`,
  };
  const handler = zendeskHandler({
    world,
    users,
    tickets,
    instanceUrl: () => url,
    ...secrets,
    tokens,
    adminId: NUMERIC_ID_BASE.zendeskUser - 1,
  });
  const handle = await startServer({
    world,
    vendor: "zendesk",
    handler,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  url = handle.url;
  return {
    url,
    credentials: {
      instanceUrl: url,
      ...secrets,
      accessToken: initial.access_token,
      refreshToken: initial.refresh_token,
    },
    world,
    close: handle.close,
  };
}
