import { ProfileflowError } from "../core/errors.ts";
import { transactionFailure } from "./domain-transaction.ts";
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
  /** Characters of object text waiting. */
  chars: number;
}

/**
 * At most this many objects, or this many characters of object text, go in one batch. Small: on SQLite
 * a batch is written without yielding (~0.2 ms an object), and searches wait for it.
 */
export const MAX_BATCH_OBJECTS = 64;
export const MAX_BATCH_CHARS = 2_000_000;
/** Puts, or characters of object text, waiting for one domain, type and caller beyond which a put is refused (THROTTLED). */
export const MAX_WAITING = 10_000;
export const MAX_WAITING_CHARS = 64_000_000;

/**
 * Errors of ours that every put of a batch would meet alike: the domain or object type gone, the
 * domain's KMS key refused, its rows not converted yet, an object type that cannot be compiled.
 * Others (a stored row that cannot be read, met by the objects of one profile) are not.
 */
const BATCH_WIDE = /^(RESOURCE_NOT_FOUND|CONFLICT|VALIDATION_FAILED|KMS_DISABLED|KMS_INVALID_STATE)$/;

/**
 * Group commit for PutProfileObject: a put that arrives while another batch of the same domain, object
 * type and caller is being written waits for it, then goes with every put that waited alongside it, as
 * one batch in one transaction. A put arriving when nothing is being written goes after one turn of the
 * event loop, with whatever arrived in that turn: a lone client's latency is all but unchanged;
 * concurrent clients share the commits (and the domain's lock).
 *
 * Each put gets the outcome of its own object, and is answered only once its batch has committed.
 * Objects of a batch are resolved in the order they reached the batcher, later ones seeing earlier
 * ones, as two puts one after the other would. When a batch fails as a whole, every put of it fails
 * with that error when it is one they would all meet: an error of ours about the domain, object type
 * or KMS key (`BATCH_WIDE`), or a transaction that could not begin (its lock still busy, no
 * connection). So does a failure at COMMIT: the writes may have been kept, and doing them again could
 * store objects twice. After any other error (one object may have caused it), each put of the batch is
 * tried again alone, so that one put's failure is not the others'.
 */
export class ObjectPutBatcher {
  readonly #queues = new Map<string, Queue>();

  constructor(private readonly ingest: IngestObjects) {}

  put(domainName: string, objectTypeName: string, text: string, performedBy: string): Promise<IngestSummary> {
    const id = `${domainName}\u0000${objectTypeName}\u0000${performedBy}`;
    return new Promise((resolve, reject) => {
      const pending = { text, resolve, reject };
      const queue = this.#queues.get(id);
      if (queue && (queue.waiting.length >= MAX_WAITING || queue.chars + text.length > MAX_WAITING_CHARS)) {
        reject(
          new ProfileflowError(
            "THROTTLED",
            `Too many PutProfileObject calls are waiting for domain ${domainName} and object type ${objectTypeName} (at most ${MAX_WAITING} calls or ${MAX_WAITING_CHARS} characters of objects): retry later.`,
          ),
        );
        return;
      }
      if (queue) {
        queue.waiting.push(pending);
        queue.chars += text.length;
        return;
      }
      const started: Queue = {
        domainName,
        objectTypeName,
        performedBy,
        waiting: [pending],
        chars: text.length,
      };
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
        for (const p of batch) queue.chars -= p.text.length;
        await this.#write(queue, batch);
      }
    } catch (e) {
      // Not expected (#write answers every put it takes); no put may hang. Rejecting a put already
      // answered changes nothing.
      for (const p of [...batch, ...queue.waiting.splice(0)]) p.reject(e);
    } finally {
      if (this.#queues.get(id) === queue) this.#queues.delete(id);
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
      if (batch.length === 1 || isBatchWide(e)) {
        for (const p of batch) p.reject(e);
      } else {
        for (const p of batch) await this.#write(q, [p]);
      }
      return;
    }
    // Every answer is made before any is given: a batch committed is never answered in part.
    const answers = batch.map((p, i) => summaryOf(summary, i, p.text));
    for (const [i, p] of batch.entries()) p.resolve(answers[i]!);
  }
}

/** Whether every put of a failed batch would meet `e` (or must not be tried again): see the class. */
function isBatchWide(e: unknown): boolean {
  if (e instanceof ProfileflowError) return BATCH_WIDE.test(e.code);
  return transactionFailure(e) !== undefined;
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
