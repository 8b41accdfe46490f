import { ProfileflowError } from "../core/errors.ts";
import { failedAtCommit } from "./domain-transaction.ts";
import type { IngestSummary } from "./ingest-types.ts";

/** Ingests objects of one type into a domain as one batch (one transaction), for `performedBy`. */
export type IngestObjects = (
  domainName: string,
  objectTypeName: string,
  objectTexts: readonly string[],
  performedBy: string,
) => Promise<IngestSummary>;

interface Pending {
  text: string;
  resolve: (summary: IngestSummary) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  domainName: string;
  objectTypeName: string;
  performedBy: string;
  waiting: Pending[];
}

/**
 * At most this many objects, or this many characters of object text, go in one batch. Small: on SQLite
 * a batch is written without yielding (~0.2 ms an object), and searches wait for it.
 */
export const MAX_BATCH_OBJECTS = 64;
export const MAX_BATCH_CHARS = 2_000_000;
/** Puts waiting for one domain, type and caller beyond which a put is refused (THROTTLED). */
export const MAX_WAITING = 10_000;

/**
 * Group commit for PutProfileObject: a put that arrives while another batch of the same domain, object
 * type and caller is being written waits for it, then goes with every put that waited alongside it, as
 * one batch in one transaction. A put arriving when nothing is being written goes after one turn of the
 * event loop, with whatever arrived in that turn: a lone client's latency is all but unchanged;
 * concurrent clients share the commits (and the domain's lock).
 *
 * Each put gets the outcome of its own object, and is answered only once its batch has committed.
 * Objects of a batch are resolved in the order they reached the batcher, later ones seeing earlier
 * ones, as two puts one after the other would. When a batch fails as a whole:
 * - with an error of ours (the domain or object type gone, its KMS key refused…), which every put of the
 *   batch would meet alike, or at COMMIT (the writes may have been kept: doing them again could store
 *   objects twice), every put of the batch fails with that error;
 * - with any other error (a storage error before the commit, which one object may have caused), each
 *   of its puts is tried again alone, so that one put's failure is not the others'.
 */
export class ObjectPutBatcher {
  readonly #queues = new Map<string, Queue>();

  constructor(private readonly ingest: IngestObjects) {}

  put(domainName: string, objectTypeName: string, text: string, performedBy: string): Promise<IngestSummary> {
    const id = `${domainName}\u0000${objectTypeName}\u0000${performedBy}`;
    return new Promise((resolve, reject) => {
      const pending = { text, resolve, reject };
      const queue = this.#queues.get(id);
      if (queue && queue.waiting.length >= MAX_WAITING) {
        reject(
          new ProfileflowError(
            "THROTTLED",
            `Too many PutProfileObject calls are waiting for domain ${domainName} and object type ${objectTypeName} (${MAX_WAITING}): retry later.`,
          ),
        );
        return;
      }
      if (queue) {
        queue.waiting.push(pending);
        return;
      }
      const started: Queue = { domainName, objectTypeName, performedBy, waiting: [pending] };
      this.#queues.set(id, started);
      void this.#drain(id, started);
    });
  }

  /**
   * Writes the queue's batches one after another until none is waiting, then forgets the queue. Each
   * batch is taken after a turn of the event loop: requests already received are parsed and join it.
   * (On SQLite a write runs without yielding to I/O, so no put could arrive during one.)
   */
  async #drain(id: string, queue: Queue): Promise<void> {
    let batch: Pending[] = [];
    try {
      while (queue.waiting.length > 0) {
        await new Promise((turn) => setImmediate(turn));
        batch = takeBatch(queue.waiting);
        await this.#write(queue, batch);
      }
    } catch (e) {
      // Not expected (#write answers every put it takes); no put may hang. Rejecting a put already
      // answered changes nothing.
      for (const p of [...batch, ...queue.waiting.splice(0)]) p.reject(e);
    } finally {
      this.#queues.delete(id);
    }
  }

  async #write(q: Queue, batch: Pending[]): Promise<void> {
    let summary: IngestSummary;
    try {
      summary = await this.ingest(
        q.domainName,
        q.objectTypeName,
        batch.map((p) => p.text),
        q.performedBy,
      );
    } catch (e) {
      if (batch.length === 1 || e instanceof ProfileflowError || failedAtCommit(e)) {
        for (const p of batch) p.reject(e);
      } else {
        for (const p of batch) await this.#write(q, [p]);
      }
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(summaryOf(summary, i, p.text));
  }
}

/** The first waiting puts, up to the batch's limits (at least one). */
function takeBatch(waiting: Pending[]): Pending[] {
  let chars = 0;
  let n = 0;
  while (n < waiting.length && n < MAX_BATCH_OBJECTS) {
    chars += waiting[n]!.text.length;
    if (n > 0 && chars > MAX_BATCH_CHARS) break;
    n++;
  }
  return waiting.splice(0, n);
}

/** The part of a batch's summary that is object `i`'s (`text`: its object text, as ingested). */
function summaryOf(batch: IngestSummary, i: number, text: string): IngestSummary {
  const result = batch.results[i]!;
  const deadLettered = result.status === "dead_lettered";
  const ignored = result.status === "ignored";
  return {
    accepted: deadLettered || ignored ? 0 : 1,
    deadLettered: deadLettered ? 1 : 0,
    ignored: ignored ? 1 : 0,
    // As a batch counts them: the characters of every object not dead-lettered.
    bytes: deadLettered ? 0 : text.length,
    results: [result],
  };
}
