/** One ground-truth row of the sandbox admin API. */
export interface TruthRow {
  id: string;
  deleted: boolean;
  stamp: number;
  personId: string;
  companyId: string;
  profileKey: { key: string; value: string };
  keys: { key: string; value: string }[];
}

/** A thin client of a simulator's `/__sandbox/` admin API (src/sandbox/core/README.md). */
export class SandboxAdmin {
  constructor(readonly url: string) {}

  async #call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/__sandbox/${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
        : {}),
    });
    const out = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
    return out;
  }

  /** Every truth row of `object` (deleted ones included), with stamps as epoch ms. */
  async truth(object: string): Promise<TruthRow[]> {
    const out: TruthRow[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page = (await this.#call("GET", `truth/${object}?offset=${offset}&limit=10000`)) as {
        records: (Omit<TruthRow, "stamp"> & { stamp: string | number })[];
        nextOffset: number | null;
      };
      for (const r of page.records)
        out.push({ ...r, stamp: typeof r.stamp === "number" ? r.stamp : Date.parse(r.stamp) });
      offset = page.nextOffset;
    }
    return out;
  }

  /** The ids of live truth rows stamped at or after `from` (what an incremental sync from `from` holds). */
  async liveSince(object: string, from: number): Promise<string[]> {
    return (await this.truth(object))
      .filter((r) => !r.deleted && r.stamp >= from)
      .map((r) => r.id)
      .sort();
  }

  /** Reads one record as the sandbox holds it. */
  async record(object: string, id: string): Promise<{ fields: Record<string, unknown>; deleted: boolean }> {
    return (await this.#call("GET", `records/${object}/${encodeURIComponent(id)}`)) as {
      fields: Record<string, unknown>;
      deleted: boolean;
    };
  }

  /** Changes a record now (sandbox time). */
  async change(object: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.#call("PATCH", `records/${object}/${encodeURIComponent(id)}`, { fields });
  }

  /** Deletes a record now (sandbox time). */
  async remove(object: string, id: string): Promise<void> {
    await this.#call("DELETE", `records/${object}/${encodeURIComponent(id)}`);
  }

  /** Creates a record now; its id. */
  async create(object: string, fields: Record<string, unknown>): Promise<string> {
    return String((await this.#call("POST", `records/${object}`, { fields }))["id"]);
  }

  /** Updates `size` records of `object` with one timestamp `at` (an equal-timestamp burst). */
  async burst(object: string, size: number, at: number): Promise<number> {
    return Number((await this.#call("POST", "burst", { object, size, at }))["updated"]);
  }

  /** Moves the sandbox clock (shared with the server under test) forward. */
  async advance(ms: number): Promise<number> {
    return Number((await this.#call("POST", "clock", { advanceMs: ms }))["now"]);
  }

  /** Merges knobs. */
  async knobs(patch: Record<string, unknown>): Promise<void> {
    await this.#call("POST", "knobs", patch);
  }
}
