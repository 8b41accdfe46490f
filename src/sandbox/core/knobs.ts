/**
 * The fault and behaviour knobs shared by every simulator. All off by default so third-party clients see a
 * well-behaved vendor; connector tests turn them on through options or `POST /__sandbox/knobs`.
 */
export interface Knobs {
  /** Probability per request of each injected failure class. */
  errorRate: { transient: number; rateLimit: number; authExpiry: number };
  /** Added latency per request, in wall milliseconds. */
  latencyMs: number;
  /** Probability that a successful response body is cut in half (connection dropped mid-body). */
  truncateRate: number;
  /** A refresh grant returns a new refresh token and invalidates the old one. */
  rotateRefreshTokens: boolean;
  /** Every `everyMinutes` sandbox minutes, `size` records of each object are updated with one timestamp. */
  burst: { size: number; everyMinutes: number };
  /** Share of churn writes committed late: stamped `delayMs` before they become visible. */
  lateVisible: { rate: number; delayMs: number };
  /** Records of the object being read that are updated after each page is served. */
  midReadChanges: number;
  /** Writes per sandbox minute, per object. */
  churn: { creates: number; updates: number; deletes: number };
  /** Multiplies every rate limit and quota (0.01 makes a 100k daily allocation 1k, for fast tests). */
  rateLimitScale: number;
  /** A read whose window holds more rows than this fails with the vendor's timeout error (0 = never). */
  queryTimeoutRows: number;
  /** Access tokens expire after this many sandbox ms of inactivity/age (0 = the vendor's default). */
  tokenTtlMs: number;
  /**
   * Deterministic faults: the next `count` matching API requests fail. `status` 0 = the vendor's own transient
   * error (as `errorRate.transient` injects it); a status ≥ 400 = a bare answer from a proxy in front of the
   * vendor. A request matches when its decoded path and query contain `pathContains` and its body contains
   * `bodyContains` (empty = any). `count` goes down as faults are served.
   */
  failNext: FailNext;
}

/** The `failNext` knob: see Knobs.failNext. */
export interface FailNext {
  count: number;
  status: number;
  pathContains: string;
  bodyContains: string;
}

/** Knobs with everything off. */
export function defaultKnobs(): Knobs {
  return {
    errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 },
    latencyMs: 0,
    truncateRate: 0,
    rotateRefreshTokens: false,
    burst: { size: 0, everyMinutes: 0 },
    lateVisible: { rate: 0, delayMs: 0 },
    midReadChanges: 0,
    churn: { creates: 0, updates: 0, deletes: 0 },
    rateLimitScale: 1,
    queryTimeoutRows: 0,
    tokenTtlMs: 0,
    failNext: { count: 0, status: 0, pathContains: "", bodyContains: "" },
  };
}

/** A nested partial of Knobs, as accepted by options and the admin API. */
export type KnobsPatch = { [K in keyof Knobs]?: Knobs[K] extends object ? Partial<Knobs[K]> : Knobs[K] };

/** Returns `base` with `patch` applied; throws RangeError on unknown names or wrong types. */
export function mergeKnobs(base: Knobs, patch: unknown): Knobs {
  const out = mergeInto(base, patch, "knobs") as Knobs;
  const f = out.failNext;
  if (!Number.isInteger(f.count)) throw new RangeError("knobs.failNext.count must be an integer");
  if (f.status !== 0 && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) {
    throw new RangeError("knobs.failNext.status must be 0 (the vendor's own error) or an HTTP error status");
  }
  return out;
}

function mergeInto(base: unknown, patch: unknown, path: string): unknown {
  if (patch === undefined) return base;
  if (typeof base === "object" && base !== null) {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
      throw new RangeError(`${path} must be an object`);
    }
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in out)) throw new RangeError(`unknown knob ${path}.${k}`);
      out[k] = mergeInto(out[k], v, `${path}.${k}`);
    }
    return out;
  }
  if (typeof patch !== typeof base) throw new RangeError(`${path} must be a ${typeof base}`);
  if (typeof patch === "number" && (!Number.isFinite(patch) || patch < 0)) {
    throw new RangeError(`${path} must be a finite number >= 0`);
  }
  return patch;
}
