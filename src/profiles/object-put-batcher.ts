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

/** At most this many objects, or this many characters of object text, go in one batch. */
export const MAX_BATCH_OBJECTS = 500;
export const MAX_BATCH_CHARS = 4_000_000;

/**
 * Group commit for PutProfileObject: a put that arrives while another batch of the same domain, object
 * type and caller is being written waits for it, then goes with every put that waited alongside it, as
 * one batch in one transaction. A put arriving when nothing is being written goes after one turn of the
 * event loop, with whatever arrived in that turn: a lone client's latency is all but unchanged;
 * concurrent clients share the commits (and the domain's lock).
 *
 * Each put gets the outcome of its own object, and is answered only once its batch has committed.
 * Objects of a batch are resolved in arrival order, later ones seeing earlier ones, as two puts one
 * after the other would. When a batch fails as a whole (a storage error; a missing object type fails
 * every put of it alike), each of its puts is tried again alone, so one put's failure is never
 * another's.
 */
export class ObjectPutBatcher {
  readonly #queues = new Map<string, Queue>();

  constructor(private readonly ingest: IngestObjects) {}

  put(domainName: string, objectTypeName: string, text: string, performedBy: string): Promise<IngestSummary> {
    const id = `${domainName}\u0000${objectTypeName}\u0000${performedBy}`;
    return new Promise((resolve, reject) => {
      const pending = { text, resolve, reject };
      const queue = this.#queues.get(id);
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
    while (queue.waiting.length > 0) {
      await new Promise((turn) => setImmediate(turn));
      const batch = takeBatch(queue.waiting);
      await this.#write(queue, batch);
    }
    this.#queues.delete(id);
  }

  async #write(q: Queue, batch: Pending[]): Promise<void> {
    const texts = batch.map((p) => p.text);
    let summary: IngestSummary;
    try {
      summary = await this.ingest(q.domainName, q.objectTypeName, texts, q.performedBy);
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else for (const p of batch) await this.#write(q, [p]);
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
