import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";

/** The WAL size at which SQLite checkpoints inline (after a commit) when no thread does it. */
export const INLINE_CHECKPOINT_PAGES = 16_384;

/**
 * The thread's body, plain JavaScript evaluated in the worker (a TypeScript entry would need the tsx loader
 * there too): its own connection to the file, and a PASSIVE checkpoint every `intervalMs`. PASSIVE takes no
 * lock a writer needs and waits for nothing: it copies what it can and the next run takes the rest. (A
 * RESTART or FULL checkpoint would hold the write lock, and a transaction of the server's that read first
 * and then writes would fail at once with SQLITE_BUSY: SQLite calls no busy handler for a read
 * transaction's upgrade; test/db/wal-checkpointer.test.ts.)
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 0");
db.pragma("cache_size = -256");
let timer;
const run = () => {
  db.pragma("wal_checkpoint(PASSIVE)");
  timer = setTimeout(run, workerData.intervalMs);
};
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
timer = setTimeout(run, workerData.intervalMs);
`;

export interface WalCheckpointerOptions {
  /** How often the thread checkpoints (default 200 ms). */
  readonly intervalMs?: number;
  /**
   * The log's size, in pages, at which the committing connection checkpoints after a commit, so that its
   * next transaction writes the log from its start (default 65,536: 256 MB).
   */
  readonly restartPages?: number;
  /** Told once if the thread fails or ends on its own (the connection checkpoints inline from then on). */
  readonly onFailure?: ((error: unknown) => void) | undefined;
}

/**
 * Checkpoints a SQLite file's write-ahead log on a thread with a connection of its own (issue 18), so that
 * copying the log's pages into the file mostly leaves the server's commits: inline, a commit past
 * {@link INLINE_CHECKPOINT_PAGES} pages copied all of them while the server's thread waited.
 *
 * SQLite starts the log over only when a write transaction begins with every frame already in the file,
 * which a writer that never pauses does not see, so with the thread alone the log would grow without
 * bound. So the committing connection still checkpoints after a commit, but only once the log holds
 * `restartPages`; by then the thread has copied all but its last moments, so that checkpoint copies
 * little, and the next transaction writes the log from its start. When the thread fails, ends, or is
 * stopped, the connection checkpoints every {@link INLINE_CHECKPOINT_PAGES} pages again.
 */
export class WalCheckpointer {
  readonly #sqlite: SQLite.Database;
  readonly #worker: Worker | undefined;
  readonly #onFailure: (error: unknown) => void;
  #running = false;
  #stopping = false;
  readonly #exited: Promise<void>;

  constructor(sqlite: SQLite.Database, file: string, options: WalCheckpointerOptions = {}) {
    this.#sqlite = sqlite;
    const told = options.onFailure ?? (() => undefined);
    // A listener that throws must not leave the connection open (a start) or the exit unsettled (a stop).
    this.#onFailure = (e) => {
      try {
        told(e);
      } catch {
        // ignored: the failure is already handled (checkpoints inline)
      }
    };
    let worker: Worker;
    try {
      worker = new Worker(THREAD_SOURCE, {
        eval: true,
        workerData: {
          driver: createRequire(import.meta.url).resolve("better-sqlite3"),
          file,
          intervalMs: options.intervalMs ?? 200,
        },
        // Its connection needs little: no page cache to speak of, no statements but the checkpoint.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
      });
    } catch (e) {
      // No thread to be had (a process or thread limit): the connection goes on checkpointing inline.
      this.#worker = undefined;
      this.#exited = Promise.resolve();
      this.#onFailure(e);
      return;
    }
    this.#worker = worker;
    this.#running = true;
    sqlite.pragma(`wal_autocheckpoint = ${options.restartPages ?? 65_536}`);
    // The thread alone does not keep the process alive; stop() holds it until the thread has ended.
    worker.unref();
    this.#exited = new Promise((resolve) => {
      let failure: unknown;
      worker.on("error", (e) => {
        failure = e;
      });
      worker.on("exit", (code) => {
        const wasRunning = this.#running;
        this.#inline();
        if (wasRunning && !this.#stopping)
          this.#onFailure(failure ?? new Error(`the checkpoint thread ended (${code})`));
        resolve();
      });
    });
  }

  /** Whether the thread checkpoints (false if it could not start, once it failed or ended, and once stopped). */
  get running(): boolean {
    return this.#running;
  }

  /** Ends the thread (its connection closed) and hands checkpoints back to the committing connection. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    if (this.#running && !this.#stopping) {
      this.#stopping = true;
      // Held until the thread has ended: otherwise a process with nothing else to do (a server being shut
      // down) would exit here, before its caller closes the database.
      worker.ref();
      worker.postMessage("stop");
    }
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.#exited.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(resolve, 2_000, false);
      }),
    ]);
    clearTimeout(timer);
    if (!ended) await worker.terminate();
    this.#inline();
  }

  #inline(): void {
    if (!this.#running) return;
    this.#running = false;
    try {
      if (this.#sqlite.open) this.#sqlite.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    } catch {
      // A statement's rows still being read: the setting stays, and the connection checkpoints past its
      // 65,536 pages as before. Nothing in src reads rows lazily today.
    }
  }
}
