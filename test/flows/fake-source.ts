import {
  type Connector,
  ConnectorError,
  type ConnectorSpec,
  defineConnector,
  type FlatCheckpoint,
  isWindowRead,
  type Page,
  type ReadRequest,
} from "../../src/connectors/sdk/index.ts";
import type { Clock } from "../../src/core/clock.ts";

/** One record of the in-memory source. */
export interface FakeRecord {
  id: string;
  ts: number;
  data: Record<string, unknown>;
}

/** A fault on the n-th page fetch (counted over every read of this source): throw, or hang until released. */
export type Fault = { atFetch: number } & (
  | { error: ConnectorError }
  | { block: Promise<void>; reached: () => void }
);

interface State {
  from: number;
  to: number;
  phase: "records" | "deletions" | "done";
  offset: number;
}

/**
 * A small in-memory source that behaves like an SDK connector: windows `[from, to)`, pages ordered by
 * (ts, id), a deletions phase, flat checkpoints with `from`/`to`, incremental reads that restart at the
 * last window end minus a look-back, up to now minus a lag, and injectable faults.
 */
export class FakeSource {
  records: FakeRecord[] = [];
  deletions: { id: string; deletedAt: number }[] = [];
  faults: Fault[] = [];
  fetches = 0;
  pageSize = 3;
  lookbackMs = 60_000;
  lagMs = 1_000;
  /** Credentials the connector accepts; anything else → auth error on the first fetch. */
  acceptedToken = "good";

  constructor(readonly clock: Clock) {}

  /** The connector spec, registered under the ServiceNow slot of the engine's catalog. */
  spec(): ConnectorSpec {
    return defineConnector({
      id: "fake",
      displayName: "Fake",
      authKinds: ["bearer"],
      baseUrl: "{instanceUrl}",
      objects: {
        sys_user: {
          label: "User",
          cursorField: "ts",
          idField: "id",
          lookbackMs: this.lookbackMs,
          lagMs: this.lagMs,
          defaultPageSize: 3,
          maxPageSize: 100,
        },
      },
      errors: [],
      open: (profile) =>
        this.open(profile.credentials.kind === "bearer" ? profile.credentials.accessToken : ""),
    });
  }

  open(token: string): Connector {
    return {
      testConnection: async () => ({ status: "Connected" }),
      listObjects: async () => [],
      describeObject: async (name) => ({ name, label: name, cursorField: "ts", idField: "id" }),
      read: (request) => this.#read(request, token),
      close: async () => {},
    };
  }

  async *#read(request: ReadRequest, token: string): AsyncGenerator<Page> {
    const s = this.#start(request);
    while (s.phase !== "done") {
      this.fetches++;
      const fault = this.faults.find((f) => f.atFetch === this.fetches);
      if (token !== this.acceptedToken)
        throw new ConnectorError("auth", "401 invalid token", { status: 401 });
      if (fault && "error" in fault) throw fault.error;
      if (fault && "block" in fault) {
        fault.reached();
        await fault.block;
      }
      yield this.#page(s);
    }
  }

  #page(s: State): Page {
    if (s.phase === "records") {
      const all = this.records
        .filter((r) => r.ts >= s.from && r.ts < s.to)
        .sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id));
      const slice = all.slice(s.offset, s.offset + this.pageSize);
      s.offset += slice.length;
      if (s.offset >= all.length) {
        s.phase = "deletions";
        s.offset = 0;
      }
      const records = slice.map((r) => ({ id: r.id, sourceTimestamp: r.ts, data: r.data }));
      return { records, deletions: [], rejected: [], checkpoint: cp(s), done: false };
    }
    const deletions = this.deletions.filter((d) => d.deletedAt >= s.from && d.deletedAt < s.to);
    s.phase = "done";
    return { records: [], deletions, rejected: [], checkpoint: cp(s), done: true };
  }

  #start(req: ReadRequest): State {
    const now = this.clock.now() - this.lagMs;
    if (isWindowRead(req)) {
      return req.resume ? fromCp(req.resume) : { ...req.window, phase: "records", offset: 0 };
    }
    if (typeof req.since === "number") return { from: req.since, to: now, phase: "records", offset: 0 };
    const last = fromCp(req.since);
    if (last.phase !== "done") return last;
    return { from: last.to - this.lookbackMs, to: now, phase: "records", offset: 0 };
  }
}

function cp(s: State): FlatCheckpoint {
  return { v: 1, from: s.from, to: s.to, phase: s.phase, offset: s.offset };
}

function fromCp(c: FlatCheckpoint): State {
  return {
    from: Number(c["from"]),
    to: Number(c["to"]),
    phase: c["phase"] as State["phase"],
    offset: Number(c["offset"]),
  };
}

/** A fault that hangs the n-th fetch until `release()`; `reached` resolves when a runner gets there. */
export function blockAt(atFetch: number): { fault: Fault; reached: Promise<void>; release: () => void } {
  let release!: () => void;
  let reachedResolve!: () => void;
  const block = new Promise<void>((r) => {
    release = r;
  });
  const reached = new Promise<void>((r) => {
    reachedResolve = r;
  });
  return { fault: { atFetch, block, reached: reachedResolve }, reached, release };
}
