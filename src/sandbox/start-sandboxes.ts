import type { KnobsPatch } from "./core/knobs.ts";
import { SandboxWorld, type WorldOptions } from "./core/world.ts";
import { startMarketoSandbox } from "./marketo/start-marketo-sandbox.ts";
import { startSalesforceSandbox } from "./salesforce/salesforce-sandbox.ts";
import { startServiceNowSandbox } from "./servicenow/start-servicenow-sandbox.ts";
import { startZendeskSandbox } from "./zendesk/start-zendesk-sandbox.ts";

/** One running vendor simulator as `startSandboxes` reports it. */
export interface RunningSandbox {
  url: string;
  /** String values only: the member of the `profileflow sandbox` JSON for this vendor. */
  credentials: Record<string, string>;
  close(): Promise<void>;
}

/** How to start one vendor on the shared world; add a line to SANDBOX_STARTERS for a new vendor. */
export interface SandboxStarter {
  vendor: string;
  start(world: SandboxWorld, listen: { port?: number; host?: string }): Promise<RunningSandbox>;
}

const strings = (o: object): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "string")) as Record<string, string>;

/** The vendors `profileflow sandbox` starts, in port order. */
export const SANDBOX_STARTERS: SandboxStarter[] = [
  {
    vendor: "salesforce",
    start: async (world, listen) => {
      const s = await startSalesforceSandbox({ world, ...listen });
      return { url: s.url, credentials: strings(s.credentials), close: s.close };
    },
  },
  {
    vendor: "servicenow",
    start: async (world, listen) => {
      const s = await startServiceNowSandbox({ world, ...listen });
      return { url: s.url, credentials: strings(s.credentials), close: s.close };
    },
  },
  {
    vendor: "marketo",
    start: async (world, listen) => {
      const s = await startMarketoSandbox({ world, ...listen });
      return { url: s.url, credentials: strings(s.credentials), close: s.close };
    },
  },
  {
    vendor: "zendesk",
    start: async (world, listen) => {
      const s = await startZendeskSandbox({ world, ...listen });
      return { url: s.url, credentials: strings(s.credentials), close: s.close };
    },
  },
];

/** Options of `startSandboxes`: vendor i listens on `port + i` (0 = any free port). */
export interface StartSandboxesOptions {
  seed?: number;
  people?: number;
  dataDir?: string;
  knobs?: KnobsPatch;
  port?: number;
  host?: string;
  clock?: WorldOptions["clock"];
  /** Start only these vendors (default: all in SANDBOX_STARTERS). */
  vendors?: string[];
}

/** All running simulators, sharing one clock and population. */
export interface Sandboxes {
  world: SandboxWorld;
  servers: Record<string, RunningSandbox>;
  /** `{salesforce: {instanceUrl, clientId, …}, servicenow: {…}, …}` — the JSON `profileflow sandbox` prints. */
  credentials: Record<string, Record<string, string>>;
  close(): Promise<void>;
}

/** Starts one shared world and every vendor simulator on it. */
export async function startSandboxes(options: StartSandboxesOptions = {}): Promise<Sandboxes> {
  const world = new SandboxWorld({
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.people !== undefined ? { people: options.people } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.knobs ? { knobs: options.knobs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const servers: Record<string, RunningSandbox> = {};
  const starters = SANDBOX_STARTERS.filter((s) => !options.vendors || options.vendors.includes(s.vendor));
  const close = async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  };
  try {
    for (const [i, starter] of starters.entries()) {
      const listen = {
        ...(options.port ? { port: options.port + i } : {}),
        ...(options.host ? { host: options.host } : {}),
      };
      servers[starter.vendor] = await starter.start(world, listen);
    }
  } catch (e) {
    await close();
    throw e;
  }
  const credentials = Object.fromEntries(Object.entries(servers).map(([v, s]) => [v, s.credentials]));
  return { world, servers, credentials, close };
}
