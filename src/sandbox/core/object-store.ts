import type { ObjectDef, TruthLinks } from "./object-def.ts";
import { hash32, strHash, unit } from "./rng.ts";
import { VersionList } from "./version-list.ts";

/** One version of a record. Generated versions have `seq` 0 and compute their fields on demand. */
export interface RecordVersion {
  readonly index: number;
  /** The modification timestamp (ms) the vendor reports: SystemModstamp, sys_updated_on, updated_at… */
  readonly stamp: number;
  readonly createdAt: number;
  /** When reads start to see this version; later than `stamp` for late-committed writes. */
  readonly visibleAt: number;
  readonly deleted: boolean;
  /** Commit order; 0 for the generated history. */
  readonly seq: number;
  /** Full fields for overlay versions; undefined for generated ones (see ObjectStore.fields). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A compact reference to a version: the index for generated ones, the version itself otherwise. */
export type VersionRef = number | RecordVersion;

/** A write to the overlay, as logged to the data directory and replayed on restart. */
export interface StoreOp {
  op: "create" | "update" | "delete";
  object: string;
  index: number;
  at: number;
  visibleAt: number;
  fields?: Record<string, unknown>;
}

/** A ground-truth row: the record's id, state, and the person/profile it belongs to. */
export interface TruthRecord extends TruthLinks {
  vendor: string;
  object: string;
  id: string;
  deleted: boolean;
  stamp: string;
}

const SECOND = 1000;
const DAY = 86_400_000;

/**
 * A lazy record store: record i of the generated history is a pure function of (seed, i) with a stamp that is
 * monotone in i, so a time range maps to an index range by binary search; creates, updates and deletes live
 * in an in-memory overlay kept sorted by (stamp, index).
 */
export class ObjectStore {
  readonly def: ObjectDef;
  readonly #seed: number;
  readonly #start: number;
  readonly #span: number;
  readonly #versions = new Map<number, RecordVersion[]>();
  readonly #sorted: RecordVersion[] = [];
  #next: number;
  #seq = 0;
  #onWrite: ((op: StoreOp) => void) | undefined;

  constructor(def: ObjectDef, seed: number, history: { start: number; end: number }) {
    this.def = def;
    this.#seed = hash32(seed, strHash(`${def.vendor}/${def.name}`));
    this.#start = history.start;
    this.#span = history.end - history.start;
    this.#next = def.count;
  }

  /** `vendor/name`. */
  get key(): string {
    return `${this.def.vendor}/${this.def.name}`;
  }

  /** Records ever allocated (generated + created); indices are 0..size-1. */
  get size(): number {
    return this.#next;
  }

  /** Overlay versions held in memory (for the memory figures). */
  get overlaySize(): number {
    return this.#sorted.length;
  }

  /** Called with every write, for persistence. */
  onWrite(listener: (op: StoreOp) => void): void {
    this.#onWrite = listener;
  }

  /** The stamp of generated record `i`: monotone non-decreasing in i, whole seconds. */
  generatedStamp(i: number): number {
    const t = this.#start + ((i + unit(this.#seed, i)) / this.def.count) * this.#span;
    return Math.floor(t / SECOND) * SECOND;
  }

  /** The generated version of record `i` (i < def.count). */
  generated(i: number): RecordVersion {
    const stamp = this.generatedStamp(i);
    const back = Math.floor(unit(this.#seed, i, 1) * 180) * DAY + Math.floor(unit(this.#seed, i, 2) * DAY);
    const createdAt = Math.max(this.#start, Math.floor((stamp - back) / SECOND) * SECOND);
    return {
      index: i,
      stamp,
      createdAt: Math.min(createdAt, stamp),
      visibleAt: stamp,
      deleted: false,
      seq: 0,
    };
  }

  /** The fields of a version (generated ones are regenerated, which is cheap and pure). */
  fields(v: RecordVersion): Readonly<Record<string, unknown>> {
    return v.fields ?? this.def.generate(v.index);
  }

  /** The version reads see at sandbox time `now`, including deleted ones; undefined if none yet. */
  current(index: number, now: number): RecordVersion | undefined {
    const vs = this.#versions.get(index);
    if (vs) {
      for (let k = vs.length - 1; k >= 0; k--) if (vs[k]!.visibleAt <= now) return vs[k];
    }
    if (index < this.def.count) {
      const g = this.generated(index);
      if (g.stamp <= now) return g;
    }
    return undefined;
  }

  /** The current version of a vendor id. */
  byId(id: string, now: number): RecordVersion | undefined {
    const i = this.def.indexOf(id);
    return i === undefined || i >= this.#next ? undefined : this.current(i, now);
  }

  /** Turns a version into a compact reference (locators keep these instead of records). */
  ref(v: RecordVersion): VersionRef {
    return v.seq === 0 ? v.index : v;
  }

  /** Resolves a reference made by `ref`. */
  deref(r: VersionRef): RecordVersion {
    return typeof r === "number" ? this.generated(r) : r;
  }

  /**
   * The versions visible at `now` whose stamp lies in [from, to), ordered by (stamp, index) — the order of
   * `ORDER BY SystemModstamp, Id`. Deleted ones only when `includeDeleted`.
   */
  *scan(opts: {
    from?: number;
    to?: number;
    now: number;
    includeDeleted?: boolean;
  }): Generator<RecordVersion> {
    const from = opts.from ?? Number.NEGATIVE_INFINITY;
    const to = Math.min(opts.to ?? Number.POSITIVE_INFINITY, opts.now + 1);
    const gen = this.#generatedIn(from, to, opts.now);
    const ovl = this.#overlayIn(from, to, opts.now, opts.includeDeleted ?? false);
    let a = gen.next();
    let b = ovl.next();
    while (!a.done || !b.done) {
      if (
        b.done ||
        (!a.done &&
          (a.value.stamp < b.value.stamp ||
            (a.value.stamp === b.value.stamp && a.value.index < b.value.index)))
      ) {
        yield a.value as RecordVersion;
        a = gen.next();
      } else {
        yield b.value;
        b = ovl.next();
      }
    }
  }

  /**
   * What `scan` yields, as a compact snapshot: the generated part is found by binary search on the monotone
   * stamp and kept as index runs, so no row is built unless `keep` (a residual filter) must look at it.
   * Stops after `max` rows.
   */
  snapshot(
    opts: { from?: number; to?: number; now: number; includeDeleted?: boolean },
    keep?: (v: RecordVersion) => boolean,
    max = Number.POSITIVE_INFINITY,
  ): VersionList {
    const out = new VersionList();
    const now = opts.now;
    const from = opts.from ?? Number.NEGATIVE_INFINITY;
    const to = Math.min(opts.to ?? Number.POSITIVE_INFINITY, now + 1);
    const lo = this.#firstGenerated(from, 0);
    const hi = this.#firstGenerated(to, lo);
    // Generated records whose overlay has a visible version: the overlay part serves them instead.
    const hidden: number[] = [];
    for (const [i, vs] of this.#versions) {
      if (i >= lo && i < hi && vs.some((v) => v.visibleAt <= now)) hidden.push(i);
    }
    hidden.sort((a, b) => a - b);
    let h = 0;
    let cursor = lo;
    const emitGenerated = (until: number) => {
      while (cursor < until && out.length < max) {
        while (h < hidden.length && hidden[h]! < cursor) h++;
        const skip = h < hidden.length && hidden[h]! < until;
        const stop = skip ? hidden[h]! : until;
        if (keep) {
          for (let i = cursor; i < stop && out.length < max; i++)
            if (keep(this.generated(i))) out.pushRun(i, i + 1);
        } else out.pushRun(cursor, Math.min(stop, cursor + (max - out.length)));
        cursor = skip ? stop + 1 : stop;
      }
    };
    for (const v of this.#overlayIn(from, to, now, opts.includeDeleted ?? false)) {
      // Generated rows ordered before v by (stamp, index) go first.
      let a = cursor;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        const s = this.generatedStamp(mid);
        if (s < v.stamp || (s === v.stamp && mid < v.index)) a = mid + 1;
        else b = mid;
      }
      emitGenerated(a);
      if (out.length >= max) return out;
      if (!keep || keep(v)) out.push(v);
    }
    emitGenerated(hi);
    return out;
  }

  /** The first generated index ≥ `lo` whose stamp is ≥ `t` (count when none). */
  #firstGenerated(t: number, lo: number): number {
    let hi = this.def.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.generatedStamp(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  *#generatedIn(from: number, to: number, now: number): Generator<RecordVersion> {
    const n = this.def.count;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.generatedStamp(mid) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < n; i++) {
      const stamp = this.generatedStamp(i);
      if (stamp >= to) return;
      const vs = this.#versions.get(i);
      if (vs?.some((v) => v.visibleAt <= now)) continue;
      yield this.generated(i);
    }
  }

  *#overlayIn(from: number, to: number, now: number, includeDeleted: boolean): Generator<RecordVersion> {
    const s = this.#sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]!.stamp < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < s.length; k++) {
      const v = s[k]!;
      if (v.stamp >= to) return;
      if (v.visibleAt > now || (v.deleted && !includeDeleted)) continue;
      if (this.current(v.index, now) === v) yield v;
    }
  }

  /** Creates a record stamped `at`, visible from `visibleAt` (default `at`); returns its index. */
  create(fields: Record<string, unknown>, at: number, visibleAt = at): number {
    const index = this.#next;
    this.#apply({ op: "create", object: this.def.name, index, at, visibleAt, fields });
    return index;
  }

  /** Updates record `index` with `patch`, stamped `at`; returns false if it does not exist or is deleted. */
  update(index: number, patch: Record<string, unknown>, at: number, visibleAt = at): boolean {
    const cur = this.current(index, Math.max(at, visibleAt));
    if (!cur || cur.deleted) return false;
    this.#apply({ op: "update", object: this.def.name, index, at, visibleAt, fields: patch });
    return true;
  }

  /** Deletes record `index` at `at` (soft: queryAll and deleted-record feeds still see it). */
  delete(index: number, at: number, visibleAt = at): boolean {
    const cur = this.current(index, Math.max(at, visibleAt));
    if (!cur || cur.deleted) return false;
    this.#apply({ op: "delete", object: this.def.name, index, at, visibleAt });
    return true;
  }

  /** Re-applies a logged write (restart from a data directory); does not log it again. */
  replay(op: StoreOp): void {
    this.#apply(op, false);
  }

  #apply(op: StoreOp, log = true): void {
    const prev = op.op === "create" ? undefined : this.current(op.index, Number.POSITIVE_INFINITY);
    const base = prev ? this.fields(prev) : this.def.generate(op.index);
    const v: RecordVersion = {
      index: op.index,
      stamp: op.at,
      createdAt: prev?.createdAt ?? op.at,
      visibleAt: op.visibleAt,
      deleted: op.op === "delete",
      seq: ++this.#seq,
      fields: { ...base, ...(op.fields ?? {}) },
    };
    if (op.op === "create") this.#next = Math.max(this.#next, op.index + 1);
    const list = this.#versions.get(op.index);
    if (list) list.push(v);
    else this.#versions.set(op.index, [v]);
    const s = this.#sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = s[mid]!;
      if (
        m.stamp < v.stamp ||
        (m.stamp === v.stamp && (m.index < v.index || (m.index === v.index && m.seq < v.seq)))
      )
        lo = mid + 1;
      else hi = mid;
    }
    s.splice(lo, 0, v);
    if (log) this.#onWrite?.(op);
  }

  /** The ground-truth row of record `index` at `now`, or undefined if it is not visible yet. */
  truth(index: number, now: number): TruthRecord | undefined {
    const v = this.current(index, now);
    if (!v) return undefined;
    const links = this.def.truth(index, this.fields(v));
    return {
      vendor: this.def.vendor,
      object: this.def.name,
      id: this.def.idOf(index),
      deleted: v.deleted,
      stamp: new Date(v.stamp).toISOString(),
      ...links,
    };
  }
}
