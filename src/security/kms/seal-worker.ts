import { Worker } from "node:worker_threads";

/** Values sealed ahead under one AAD: one output per plaintext, in order (`prefix` + base64 iv|tag|ciphertext). */
export interface SealRun {
  readonly aad: Uint8Array;
  readonly prefix: string;
  readonly plaintexts: readonly string[];
}

/** What the worker computes: AES-256-GCM seals under `key`, blind indexes under `indexKey` of `name\u0000value` pairs. */
export interface SealJob {
  readonly key: Uint8Array;
  readonly indexKey: Uint8Array;
  /** What blind indexes start with (INDEXED, src/security/kms/blind-index.ts). */
  readonly indexPrefix: string;
  readonly seals: readonly SealRun[];
  readonly pairs: readonly string[];
}

export interface SealJobResult {
  /** Per run, per plaintext. */
  readonly sealed: string[][];
  /** Per pair, as blindIndex (src/security/kms/blind-index.ts) computes it. */
  readonly indexes: string[];
}

/**
 * The worker's body, plain JavaScript evaluated in the worker (a TypeScript entry would need the tsx
 * loader there too). It computes exactly what DataKeyBox.seal (src/security/kms/data-key-box.ts) and
 * blindIndex compute on the main thread: test/security/seal-worker.test.ts opens its seals with an
 * independent AES-GCM and compares its indexes with blindIndex's; test/profiles/sink-prefetch.test.ts
 * reads what it sealed back through the domain's boxes. Every value gets a fresh random IV from the
 * worker's own pool, each handed out once.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createCipheriv, createHmac, randomFillSync } = require("node:crypto");
const pool = Buffer.allocUnsafe(12 * 1024);
let offset = pool.length;
function seal(key, aad, prefix, text) {
  const out = Buffer.allocUnsafe(28 + Buffer.byteLength(text, "utf8"));
  if (offset === pool.length) { randomFillSync(pool); offset = 0; }
  pool.copy(out, 0, offset, offset + 12);
  pool.fill(0, offset, offset + 12);
  offset += 12;
  const cipher = createCipheriv("aes-256-gcm", key, out.subarray(0, 12));
  cipher.setAAD(aad);
  const body = cipher.update(text, "utf8");
  const tail = cipher.final();
  body.copy(out, 28);
  tail.copy(out, 28 + body.length);
  cipher.getAuthTag().copy(out, 12);
  return prefix + out.toString("base64");
}
function index(indexKey, prefix, pair) {
  return prefix + createHmac("sha256", indexKey).update(pair, "utf8").digest().subarray(0, 16).toString("base64url");
}
parentPort.on("message", ({ id, job }) => {
  try {
    const sealed = job.seals.map((r) => r.plaintexts.map((t) => seal(job.key, r.aad, r.prefix, t)));
    const indexes = job.pairs.map((p) => index(job.indexKey, job.indexPrefix, p));
    parentPort.postMessage({ id, result: { sealed, indexes } });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

/**
 * One worker thread per process that seals and blind-indexes values ahead of the operation that stores
 * them (PrefetchedSeals), on another core. It never holds the process open; a worker that fails or
 * exits is not restarted: every later job resolves undefined and the caller computes inline.
 */
export class SealWorker {
  #worker: Worker | undefined;
  #broken = false;
  #nextId = 0;
  readonly #pending = new Map<number, (r: SealJobResult | undefined) => void>();

  /** The job's results, or undefined when the worker is unavailable or failed on it. */
  run(job: SealJob): Promise<SealJobResult | undefined> {
    const worker = this.#started();
    if (!worker) return Promise.resolve(undefined);
    const id = ++this.#nextId;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      try {
        worker.postMessage({ id, job });
      } catch {
        this.#pending.delete(id);
        resolve(undefined);
      }
    });
  }

  /** Stops the worker for good (tests): later jobs resolve undefined. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    this.#broken = true;
    this.#settleAll();
    await w?.terminate();
  }

  #started(): Worker | undefined {
    if (this.#broken) return undefined;
    if (this.#worker) return this.#worker;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true });
    } catch {
      this.#broken = true;
      return undefined;
    }
    worker.unref();
    worker.on("message", (m: { id: number; result?: SealJobResult }) => {
      const resolve = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      resolve?.(m.result);
    });
    const fail = () => {
      this.#broken = true;
      this.#worker = undefined;
      this.#settleAll();
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    this.#worker = worker;
    return worker;
  }

  #settleAll(): void {
    for (const resolve of this.#pending.values()) resolve(undefined);
    this.#pending.clear();
  }
}

/** The process's seal worker, started on first use. */
export const sharedSealWorker = new SealWorker();
