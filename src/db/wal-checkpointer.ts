import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the background connection checkpoints the WAL. */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * The worker's body, plain JavaScript evaluated in the worker (a TypeScript entry would need the tsx
 * loader there too): its own connection to the database file, which checkpoints the WAL into the file
 * every `intervalMs` and when asked. PASSIVE: it never waits for, nor blocks, a reader or the writer;
 * frames still needed by a reader's snapshot, or committed after it started, wait for the next round.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 0");
let frames = 0;
function checkpoint() {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    if (r && r.checkpointed > 0) frames += r.checkpointed;
    return r;
  } catch (e) {
    return { error: String((e && e.message) || e) };
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "close") {
    clearInterval(timer);
    db.close();
    parentPort.postMessage({ closed: true, frames });
    parentPort.close();
    return;
  }
  parentPort.postMessage({ id: m.id, result: checkpoint(), frames });
});
`;

/** What one checkpoint did: frames in the WAL, frames copied into the file (SQLite's wal_checkpoint). */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/**
 * Checkpoints a SQLite database's WAL on a worker thread with its own connection, so the copy of the
 * WAL's pages into the file and its fsyncs leave the main thread. There, SQLite's own automatic
 * checkpoint runs inside the commit that crosses its threshold: with a threshold of 16,384 pages, every
 * 64 MB of writes one commit — a backfill's part, a PutProfileObject batch — held the event loop for
 * the whole copy. The writer's connection keeps a larger automatic threshold as a safety net, should
 * this thread fall behind or stop (`SAFETY_NET_PAGES`, src/db/database.ts).
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (r: CheckpointResult | undefined) => void>();
  #next = 0;
  #closed: Promise<void> | undefined;
  #exited = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on("message", (m: { id?: number; result?: CheckpointResult }) => {
      if (m.id === undefined) return;
      this.#pending.get(m.id)?.(m.result);
      this.#pending.delete(m.id);
    });
    const settle = () => {
      for (const resolve of this.#pending.values()) resolve(undefined);
      this.#pending.clear();
    };
    worker.on("error", settle);
    worker.on("exit", () => {
      this.#exited = true;
      settle();
    });
  }

  /** Starts checkpointing `file` (an existing database in WAL mode); undefined when no worker can start. */
  static start(file: string, intervalMs = CHECKPOINT_INTERVAL_MS): WalCheckpointer | undefined {
    try {
      const module = createRequire(import.meta.url).resolve("better-sqlite3");
      return new WalCheckpointer(
        new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { file, module, intervalMs },
          resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
        }),
      );
    } catch {
      return undefined;
    }
  }

  /** One checkpoint now, on the worker (tests; the worker also checkpoints on its own timer). */
  checkpoint(): Promise<CheckpointResult | undefined> {
    if (this.#closed || this.#exited) return Promise.resolve(undefined);
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ id });
    });
  }

  /** Stops the timer and closes the worker's connection; the worker then ends. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#exited) return resolve();
      const done = () => resolve();
      this.#worker.once("exit", done);
      this.#worker.on("message", (m: { closed?: boolean }) => {
        if (m.closed) void this.#worker.terminate().then(done, done);
      });
      try {
        this.#worker.postMessage("close");
      } catch {
        void this.#worker.terminate().then(done, done);
      }
    });
    return this.#closed;
  }
}
