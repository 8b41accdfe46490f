import type {
  Connector,
  ConnectorOptions,
  ConnectorSpec,
  FlatCheckpoint,
  Page,
  ReadRequest,
} from "../../src/connectors/sdk/index.ts";
import { FakeTimer } from "../../src/connectors/sdk/index.ts";
import type { KnobsPatch, SandboxWorld, TruthRecord } from "../../src/sandbox/core/index.ts";

/** The scenarios of the contract suite; an adapter may skip one only with a written reason. */
export type ContractScenario =
  | "exact-windows"
  | "resume-every-checkpoint"
  | "faults"
  | "auth-and-config"
  | "quota"
  | "late-visible"
  | "mid-read-changes"
  | "deletions"
  | "churn-runs";

/** A running vendor sandbox as the suite sees it: its URL and world (clock, knobs, rate meter). */
export interface ContractSandbox {
  readonly url: string;
  readonly world: SandboxWorld;
  close(): Promise<void>;
}

/** One object the suite reads. */
export interface ContractObject {
  /** The connector's object name. */
  readonly name: string;
  /** The sandbox object holding its ground truth (default: `name`). */
  readonly truthObject?: string;
  /** Page sizes the exact-window scenario tries (the first is used where one small size is needed). */
  readonly pageSizes: readonly number[];
}

/**
 * What a vendor plugs into the contract suite: how to start its sandbox with knobs, open its connector on
 * it, and where its ground truth lives. Everything else (truth, late records, deletions, limits) goes
 * through the admin API every sandbox shares.
 */
export interface ContractAdapter {
  readonly name: string;
  readonly spec: ConnectorSpec;
  /** Objects to read; the first is used by the single-object scenarios. */
  readonly objects: readonly ContractObject[];
  /** People in the generated population (keep it small: the suite reads everything many times). */
  readonly people: number;
  /** Starts a sandbox on a frozen clock (`speed: 0`) with these knobs. */
  start(knobs?: KnobsPatch): Promise<ContractSandbox>;
  /** Opens the connector with good credentials. */
  open(sb: ContractSandbox, options: ConnectorOptions): Connector;
  /** Opens the connector with credentials the vendor refuses (e.g. a revoked refresh token). */
  openRefused(sb: ContractSandbox, options: ConnectorOptions): Connector;
  /** Knobs that make the vendor's quota run out within a read, and what the connector must report. */
  readonly quota?: {
    readonly knobs: KnobsPatch;
    readonly pageSize: number;
    /** The connector sees the quota coming (usage headers) and stops before the vendor refuses anything. */
    readonly stopsBeforeRefusal?: boolean;
  };
  /** Truth row → `id@epochMs` as the connector reports it (default `id@Date.parse(stamp)`). */
  truthKey?(row: TruthRecord): string;
  /** Scenarios that do not apply, each with the reason (printed as a skipped test). */
  readonly skip?: Partial<Record<ContractScenario, string>>;
}

/** A connector on a sandbox with a fake timer whose sleeps move the sandbox clock. */
export interface Opened {
  readonly connector: Connector;
  readonly timer: FakeTimer;
  /** Moves the sandbox clock and the timer together. */
  advance(ms: number): void;
}

/** Opens `adapter`'s connector on `sb` with a fake timer tied to the sandbox clock. */
export function openOn(
  adapter: ContractAdapter,
  sb: ContractSandbox,
  refused = false,
  options: ConnectorOptions = {},
): Opened {
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  const opts = { timer, ...options };
  const connector = refused ? adapter.openRefused(sb, opts) : adapter.open(sb, opts);
  return {
    connector,
    timer,
    advance(ms) {
      sb.world.clock.advance(ms);
      timer.advance(ms);
    },
  };
}

/** Calls the shared sandbox admin API. */
export async function admin(sb: ContractSandbox, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every ground-truth row of a sandbox object (live and deleted) at the sandbox's now. */
export async function truthRows(sb: ContractSandbox, object: string): Promise<TruthRecord[]> {
  const out: TruthRecord[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page: { records: TruthRecord[]; nextOffset: number | null } = await admin(
      sb,
      "GET",
      `truth/${encodeURIComponent(object)}?offset=${offset}&limit=10000`,
    );
    out.push(...page.records);
    offset = page.nextOffset;
  }
  return out;
}

/** `id@ms` of the live records stamped in `[from, to)`, sorted. */
export async function liveTruth(
  adapter: ContractAdapter,
  sb: ContractSandbox,
  o: ContractObject,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const key = adapter.truthKey ?? ((r: TruthRecord) => `${r.id}@${Date.parse(r.stamp)}`);
  const rows = await truthRows(sb, o.truthObject ?? o.name);
  return rows
    .filter((r) => !r.deleted && Date.parse(r.stamp) >= from && Date.parse(r.stamp) < to)
    .map(key)
    .sort();
}

/** Reads to the end, returning the pages. */
export async function readAll(connector: Connector, request: ReadRequest): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const p of connector.read(request)) pages.push(p);
  return pages;
}

/** `id@sourceTimestamp` of every record of the pages, sorted (duplicates kept). */
export function keys(pages: readonly Page[]): string[] {
  return pages.flatMap((p) => p.records.map((r) => `${r.id}@${r.sourceTimestamp}`)).sort();
}

/** The last checkpoint, after a JSON round trip (what the flows engine stores and loads). */
export function lastCheckpoint(pages: readonly Page[]): FlatCheckpoint {
  return JSON.parse(JSON.stringify(pages.at(-1)!.checkpoint)) as FlatCheckpoint;
}

/**
 * Applies records and deletions in source-timestamp order (latest wins, a deletion wins a tie) and returns
 * `id@ms` of what is live at the end: what a downstream upsert keyed on id would hold.
 */
export function replay(pages: readonly Page[]): string[] {
  const events: Array<{ id: string; at: number; del: boolean }> = [];
  for (const p of pages) {
    for (const r of p.records) events.push({ id: r.id, at: r.sourceTimestamp, del: false });
    for (const d of p.deletions) events.push({ id: d.id, at: d.deletedAt, del: true });
  }
  const state = new Map<string, { at: number; del: boolean }>();
  for (const e of events) {
    const cur = state.get(e.id);
    if (!cur || e.at > cur.at || (e.at === cur.at && e.del)) state.set(e.id, { at: e.at, del: e.del });
  }
  return [...state]
    .filter(([, s]) => !s.del)
    .map(([id, s]) => `${id}@${s.at}`)
    .sort();
}
