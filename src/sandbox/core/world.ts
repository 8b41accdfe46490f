import { Population, type PopulationOptions } from "../population/population.ts";
import { defaultKnobs, type Knobs, type KnobsPatch, mergeKnobs } from "./knobs.ts";
import type { ObjectDef } from "./object-def.ts";
import { ObjectStore, type StoreOp } from "./object-store.ts";
import { DataDir, type SavedState } from "./persistence.ts";
import { RateMeter } from "./rate-meter.ts";
import type { SandboxRequest } from "./reply.ts";
import { hash32, SeqRng, strHash, unit } from "./rng.ts";
import { SandboxClock } from "./sandbox-clock.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Catch-up cap: a clock jump of years with churn on would otherwise stall one request for minutes. */
const MAX_CATCHUP_MINUTES = 20_000;

/** Options shared by every simulator start function. */
export interface WorldOptions {
  seed?: number;
  people?: number;
  /** Persist clock, knobs and writes here; a restart resumes them. */
  dataDir?: string;
  knobs?: KnobsPatch;
  /** Start the clock at this time (ms) and/or speed; default wall time at speed 1. */
  clock?: { start?: number; speed?: number };
  /** Generated history length in days (default 730) and end (default: start − 5 min, whole minute). */
  historyDays?: number;
  historyEnd?: number;
  shares?: PopulationOptions["shares"];
}

/** The injected failure classes of the error-rate knob. */
export type FaultClass = "transient" | "rateLimit" | "authExpiry";

/**
 * Everything the simulators share: one clock, one population, the knobs, the record stores of every vendor,
 * the rate meter, and the churn that runs on the sandbox clock. A pure function of (seed, clock, knob
 * history), persisted in the data directory when there is one.
 */
export class SandboxWorld {
  readonly seed: number;
  readonly clock: SandboxClock;
  readonly population: Population;
  readonly meter: RateMeter;
  readonly historyStart: number;
  readonly historyEnd: number;
  #knobs: Knobs;
  #churnMinute: number;
  #burstMinute: number;
  readonly #stores = new Map<string, ObjectStore>();
  readonly #dir: DataDir | undefined;
  readonly #pendingWrites: Map<string, StoreOp[]>;
  readonly #faults: SeqRng;
  /** A fail-next fault armed for the request being handled; the handler's rollFault takes it. */
  #armed = false;

  constructor(options: WorldOptions = {}) {
    this.#dir = options.dataDir ? new DataDir(options.dataDir) : undefined;
    const saved = this.#dir?.load();
    this.seed = saved?.seed ?? (options.seed ?? 1) >>> 0;
    const people = saved?.people ?? options.people ?? 1000;
    this.clock = saved ? new SandboxClock({ state: saved.clock }) : new SandboxClock(options.clock ?? {});
    const now = this.clock.now();
    this.historyEnd =
      saved?.historyEnd ?? options.historyEnd ?? Math.floor((now - 5 * MINUTE) / MINUTE) * MINUTE;
    this.historyStart = this.historyEnd - (options.historyDays ?? 730) * DAY;
    this.population = new Population({
      seed: this.seed,
      people,
      ...(options.shares ? { shares: options.shares } : {}),
    });
    this.meter = new RateMeter(this.clock);
    // Knobs saved before a knob existed get its default.
    const base = saved ? { ...defaultKnobs(), ...saved.knobs } : defaultKnobs();
    this.#knobs = mergeKnobs(base, saved ? undefined : options.knobs);
    this.#churnMinute = saved?.churnMinute ?? Math.floor(now / MINUTE);
    this.#burstMinute = saved?.burstMinute ?? Math.floor(now / MINUTE);
    this.#pendingWrites = this.#dir?.writes() ?? new Map();
    this.#faults = new SeqRng(hash32(this.seed, 99));
    if (saved && options.knobs) this.setKnobs(options.knobs);
    this.clock.onChange(() => this.#save());
    this.#save();
  }

  /** The current knobs (a copy). */
  get knobs(): Knobs {
    return structuredClone(this.#knobs);
  }

  /** Applies a partial knob change; churn up to now runs under the old knobs first (knob history). */
  setKnobs(patch: KnobsPatch | unknown): Knobs {
    const next = mergeKnobs(this.#knobs, patch);
    this.sync();
    this.#knobs = next;
    this.#save();
    return this.knobs;
  }

  /** Registers a vendor object; replays its logged writes. Returns its store. */
  register(def: ObjectDef): ObjectStore {
    const store = new ObjectStore(def, this.seed, { start: this.historyStart, end: this.historyEnd });
    for (const op of this.#pendingWrites.get(store.key) ?? []) store.replay(op);
    this.#pendingWrites.delete(store.key);
    if (this.#dir) {
      const dir = this.#dir;
      store.onWrite((op) => dir.append(store.key, op));
    }
    this.#stores.set(store.key, store);
    return store;
  }

  /** The store of `vendor/name`, or undefined. */
  store(vendor: string, name: string): ObjectStore | undefined {
    return this.#stores.get(`${vendor}/${name}`);
  }

  /** All stores, or one vendor's. */
  stores(vendor?: string): ObjectStore[] {
    return [...this.#stores.values()].filter((s) => vendor === undefined || s.def.vendor === vendor);
  }

  /** Applies churn and bursts for every whole sandbox minute that has passed; servers call it per request. */
  sync(): void {
    const nowMinute = Math.floor(this.clock.now() / MINUTE);
    if (nowMinute <= this.#churnMinute) return;
    const k = this.#knobs;
    const churning = k.churn.creates + k.churn.updates + k.churn.deletes > 0;
    const bursting = k.burst.size > 0 && k.burst.everyMinutes > 0;
    let from = this.#churnMinute;
    if (nowMinute - from > MAX_CATCHUP_MINUTES) from = nowMinute - MAX_CATCHUP_MINUTES;
    if (churning || bursting) {
      for (let m = from; m < nowMinute; m++) {
        for (const store of this.#stores.values()) {
          if (churning) this.#churnMinuteOf(store, m);
          if (bursting && m % k.burst.everyMinutes === 0) this.burst(store, k.burst.size, m * MINUTE, m);
        }
      }
    }
    this.#churnMinute = nowMinute;
    this.#save();
  }

  /** Updates `size` distinct existing records of `store` all stamped exactly `at` (an equal-timestamp burst). */
  burst(store: ObjectStore, size: number, at: number, salt = 0): number {
    let done = 0;
    const rng = new SeqRng(hash32(this.seed, strHash(store.key), salt, 7));
    const picked = new Set<number>();
    for (let tries = 0; done < size && tries < size * 5 + 100 && store.size > 0; tries++) {
      const i = rng.int(store.size);
      if (picked.has(i)) continue;
      picked.add(i);
      const cur = store.current(i, at);
      if (!cur || cur.deleted) continue;
      if (store.update(i, store.def.change(i, salt + tries, store.fields(cur)), at)) done++;
    }
    return done;
  }

  /** Changes `n` records of `store` now (the mid-read-changes knob; call after serving a page). */
  changeDuringRead(store: ObjectStore, salt: number): void {
    const n = this.#knobs.midReadChanges;
    if (n > 0) this.burst(store, n, this.clock.now(), salt);
  }

  /** Rolls the error-rate knob for one request: which failure to inject, if any. */
  rollFault(): FaultClass | null {
    if (this.#armed) {
      this.#armed = false;
      this.#spendFailNext();
      return "transient";
    }
    const r = this.#knobs.errorRate;
    const x = this.#faults.next();
    if (x < r.transient) return "transient";
    if (x < r.transient + r.rateLimit) return "rateLimit";
    if (x < r.transient + r.rateLimit + r.authExpiry) return "authExpiry";
    return null;
  }

  /**
   * Applies the fail-next knob to one API request before its handler runs: a status to answer with at once
   * (spent now), or 0 with the fault armed for the handler's `rollFault` (spent only if the handler rolls,
   * so token calls and refused credentials never use one up). Call `disarmFault` after the handler's call.
   */
  takeFailNext(req: SandboxRequest): number | undefined {
    const f = this.#knobs.failNext;
    if (f.count <= 0) return undefined;
    const query = [...req.url.searchParams].map(([k, v]) => `${k}=${v}`).join("&");
    const target = query ? `${req.url.pathname}?${query}` : req.url.pathname;
    if (!target.includes(f.pathContains) || !req.body.toString("utf8").includes(f.bodyContains))
      return undefined;
    if (f.status > 0) {
      this.#spendFailNext();
      return f.status;
    }
    this.#armed = true;
    return 0;
  }

  /** Drops a fail-next fault the handler did not take. */
  disarmFault(): void {
    this.#armed = false;
  }

  #spendFailNext(): void {
    this.#knobs.failNext.count = Math.max(0, this.#knobs.failNext.count - 1);
    this.#save();
  }

  /** Rolls the truncated-body knob for one response. */
  rollTruncate(): boolean {
    return this.#knobs.truncateRate > 0 && this.#faults.next() < this.#knobs.truncateRate;
  }

  /** A limit scaled by the rate-limit knob (never below 1). */
  scaled(limit: number): number {
    return Math.max(1, Math.floor(limit * this.#knobs.rateLimitScale));
  }

  #churnMinuteOf(store: ObjectStore, m: number): void {
    const { creates, updates, deletes } = this.#knobs.churn;
    const late = this.#knobs.lateVisible;
    const base = hash32(this.seed, strHash(store.key), m);
    const events: Array<{ at: number; kind: 0 | 1 | 2; n: number }> = [];
    const add = (count: number, kind: 0 | 1 | 2) => {
      for (let n = 0; n < count; n++)
        events.push({ at: m * MINUTE + Math.floor(unit(base, kind, n) * MINUTE), kind, n });
    };
    add(creates, 0);
    add(updates, 1);
    add(deletes, 2);
    events.sort((a, b) => a.at - b.at);
    for (const e of events) {
      const visibleAt = Math.floor(e.at / 1000) * 1000;
      const lateOne = late.rate > 0 && unit(base, e.kind, e.n, 5) < late.rate;
      const stamp = lateOne ? visibleAt - late.delayMs : visibleAt;
      if (e.kind === 0) {
        store.create({}, stamp, visibleAt);
        continue;
      }
      const i = hash32(base, e.kind, e.n, 6) % Math.max(1, store.size);
      const cur = store.current(i, visibleAt);
      if (!cur || cur.deleted) continue;
      if (e.kind === 1)
        store.update(i, store.def.change(i, hash32(base, e.n), store.fields(cur)), stamp, visibleAt);
      else store.delete(i, stamp, visibleAt);
    }
  }

  #save(): void {
    if (!this.#dir) return;
    const state: SavedState = {
      seed: this.seed,
      people: this.population.people,
      historyEnd: this.historyEnd,
      clock: this.clock.state(),
      knobs: this.#knobs,
      churnMinute: this.#churnMinute,
      burstMinute: this.#burstMinute,
    };
    this.#dir.save(state);
  }
}
