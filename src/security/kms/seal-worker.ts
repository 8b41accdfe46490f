import { type ResourceLimits, Worker } from "node:worker_threads";

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
 * The worker's heap, bounded: its live data is one piece of a job (PIECE_CHARS in, their seals out).
 * Left to V8's defaults a worker's young generation alone takes as much as the main thread's
 * (docs/benchmarks.md, issue 18 point 2). Best effort: a worker that runs out of heap usually ends alone
 * (ERR_WORKER_OUT_OF_MEMORY; every later value is then sealed inline: slower, never wrong), but a single
 * allocation past the limit can abort the whole process, hence MAX_AHEAD_CHARS. A `--max-old-space-size`
 * in the process's flags or NODE_OPTIONS overrides the old-generation limit.
 */
export const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

/**
 * Characters of plaintext per message to the worker. A page's payloads in one message (2,000 × 1.5 KB)
 * outlive a small young generation and are promoted: the worker then spends up to ~1.5 × the CPU
 * (bench/memory-parts.ts). In pieces
 * of ~128 K characters they die young (docs/benchmarks.md, issue 18 point 2).
 */
export const PIECE_CHARS = 128 * 1024;

/**
 * Values (and `name\u0000value` pairs) longer than this many characters (1 M: up to 2 MB in memory, 3 MB
 * as UTF-8) are not sealed ahead; their operation seals them inline. A single value travels as one piece
 * however large; bounding it keeps the worker's largest message far below its heap limit, where an
 * allocation that fails can end the whole process, not only the worker.
 */
export const MAX_AHEAD_CHARS = 1 << 20;

/** `items` in consecutive slices of about `size` characters (at least one item each). */
export function* piecesOf(items: readonly string[], size = PIECE_CHARS): Generator<readonly string[]> {
  let start = 0;
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    chars += items[i]!.length;
    if (chars >= size) {
      yield items.slice(start, i + 1);
      start = i + 1;
      chars = 0;
    }
  }
  if (start < items.length) yield items.slice(start);
}

/**
 * One worker thread per process that seals and blind-indexes values ahead of the operation that stores
 * them (PrefetchedSeals), on another core. It never holds the process open; a worker that fails or
 * exits is not restarted: every later job resolves undefined and the caller computes inline.
 */
export class SealWorker {
  /**
   * @param limits the worker's heap limits (tests give smaller ones).
   * @param pieceChars characters of plaintext per message (bench/memory-parts.ts compares whole jobs).
   */
  constructor(
    readonly limits: ResourceLimits = WORKER_LIMITS,
    readonly pieceChars: number = PIECE_CHARS,
  ) {}

  #worker: Worker | undefined;
  #broken = false;
  #nextId = 0;
  readonly #pending = new Map<number, (r: SealJobResult | undefined) => void>();

  /**
   * The job's results, or undefined when the worker is unavailable or failed on any of it. The job
   * travels in pieces of about PIECE_CHARS characters, so what the worker holds at once stays within its
   * small young generation (WORKER_LIMITS) and dies there.
   */
  async run(job: SealJob): Promise<SealJobResult | undefined> {
    const worker = this.#started();
    if (!worker) return undefined;
    const { key, indexKey, indexPrefix } = job;
    const post = (seals: SealRun[], pairs: readonly string[]) =>
      this.#post(worker, { key, indexKey, indexPrefix, seals, pairs });
    const runs = job.seals.map((r) =>
      [...piecesOf(r.plaintexts, this.pieceChars)].map((plaintexts) => post([{ ...r, plaintexts }], [])),
    );
    const pairs = [...piecesOf(job.pairs, this.pieceChars)].map((p) => post([], p));
    const [sealedPieces, indexPieces] = await Promise.all([
      Promise.all(runs.map((pieces) => Promise.all(pieces))),
      Promise.all(pairs),
    ]);
    if (
      sealedPieces.some((r) => r.some((p) => p === undefined)) ||
      indexPieces.some((p) => p === undefined)
    ) {
      return undefined;
    }
    return {
      sealed: sealedPieces.map((r) => r.flatMap((p) => p!.sealed[0]!)),
      indexes: indexPieces.flatMap((p) => p!.indexes),
    };
  }

  #post(worker: Worker, job: SealJob): Promise<SealJobResult | undefined> {
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
      worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: this.limits });
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
