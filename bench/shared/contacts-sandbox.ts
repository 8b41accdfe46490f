import type { KnobsPatch } from "../../src/sandbox/core/knobs.ts";

/** What a benchmark's Salesforce sandbox child reports to its parent. */
export interface SandboxInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  contacts: number;
  historyStart: number;
  /** The sandbox's frozen now; the history ends five minutes before it. */
  end: number;
}

/** The world of a contacts sandbox: who is in it, over how long, frozen at `start`, with which knobs. */
export interface ContactsSandboxOptions {
  seed: number;
  contacts: number;
  historyDays: number;
  /** The sandbox's frozen now. */
  start: number;
  knobs?: KnobsPatch;
}

/**
 * The Salesforce sandbox with `contacts` people, every one a Contact, stamped over `historyDays` on a
 * clock frozen at `start`; returns what the parent needs to connect and a close.
 */
export async function startContactsSandbox(
  o: ContactsSandboxOptions,
): Promise<{ info: SandboxInfo; close: () => Promise<void> }> {
  // Imported here: the parent process, which only forks this child, never loads the sandbox.
  const { SandboxWorld } = await import("../../src/sandbox/core/world.ts");
  const { startSalesforceSandbox } = await import("../../src/sandbox/salesforce/salesforce-sandbox.ts");
  const world = new SandboxWorld({
    seed: o.seed,
    people: o.contacts,
    shares: { salesforce: 1 },
    historyDays: o.historyDays,
    clock: { start: o.start, speed: 0 },
    ...(o.knobs ? { knobs: o.knobs } : {}),
  });
  const sb = await startSalesforceSandbox({ world });
  const c = sb.credentials;
  const info: SandboxInfo = {
    url: sb.url,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    refreshToken: c.refreshToken,
    contacts: sb.stores.Contact.size,
    historyStart: world.historyStart,
    end: o.start,
  };
  return { info, close: () => sb.close() };
}
