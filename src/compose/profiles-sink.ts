import type { Clock } from "../core/clock.ts";
import type { RecordSink, SinkRejected } from "../flows/record-sink.ts";
import type { ProfileServices } from "../profiles/profile-services.ts";

/**
 * How far before the last checkpoint's commit an object may have been stored and still count as a
 * part of the group read again: the two times come from the clocks of the processes that wrote them
 * (a runner that crashed and the one resuming), which may differ a little.
 */
const CLOCK_SKEW_MS = 5_000;

/**
 * The flows engine's sink wired to the profiles ingest path: each page's records are mapped,
 * resolved and stored, and its deletions applied, inside the transaction that commits the page's
 * checkpoint. Bad records become dead letters (put failures) and the page goes on.
 *
 * A page may be committed in parts (`partLimit`) when its object type has a UNIQUE key: a record of a
 * part that committed before a crash, read again with its group, then finds its object stored since
 * the last checkpoint, unchanged, and is not written again (IngestOptions.replay). A type without one
 * would store such a record twice, so its pages go whole.
 */
export function profilesSink(
  profiles: Pick<ProfileServices, "ingestor" | "deadLetters">,
  clock: Clock,
): RecordSink {
  const { ingestor } = profiles;
  return {
    // The next page's records mapped, their payloads sealed and keys indexed off the main thread; with
    // no seal worker (`sealAhead`) pages are not prepared ahead at all (read-pages.ts).
    ...(ingestor.canPrefetch
      ? {
          prefetch: ({ domainName, objectTypeName }, records) =>
            ingestor.prefetch(
              domainName,
              objectTypeName,
              records.map((r) => r.data),
            ),
        }
      : {}),
    writeBatch: async (trx, batch) => {
      const { domainName, objectTypeName } = batch;
      const performedBy = `flow:${batch.flow.definition.flowName}`;
      const failed: SinkRejected[] = [];
      let accepted = 0;
      let bytesWritten = 0;
      const { records } = batch;
      let consumed = records.length;
      if (records.length > 0) {
        const raws = records.map((r) => r.data);
        const summary = await ingestor.ingestInTransaction(trx, domainName, objectTypeName, raws, {
          performedBy,
          partLimit: batch.partLimit,
          replay: {
            since: batch.replaySince - CLOCK_SKEW_MS,
            seed: batch.executionId,
            recordIds: records.map((r) => r.id),
          },
        });
        consumed = summary.consumed;
        accepted = summary.accepted + summary.ignored;
        bytesWritten = summary.bytes;
        summary.results.forEach((res, i) => {
          if (res.status !== "dead_lettered") return;
          const rec = records[i]!;
          failed.push({
            recordId: rec.id,
            data: rec.data,
            code: res.reason?.code ?? "DEAD_LETTER",
            message: res.reason?.message ?? "",
          });
        });
      }
      // Deletions and refused records go with the page's last part: they follow its records.
      if (consumed < records.length) return { accepted, bytesWritten, failed, consumed };
      if (batch.deletions.length > 0) {
        await ingestor.deleteInTransaction(
          trx,
          domainName,
          objectTypeName,
          batch.deletions.map((d) => ({ id: d.id, ...(d.data !== undefined ? { data: d.data } : {}) })),
          { performedBy },
        );
      }
      // Records the connector or the flow's tasks refused never reach mapping: kept as dead letters too,
      // sealed like the ingest path's (DeadLetterStore, with the domain's data key).
      await profiles.deadLetters.addIn(
        trx,
        domainName,
        batch.rejected.map((r) => ({
          objectTypeName,
          objectKey: r.recordId,
          data: r.data,
          reasonCode: r.code,
          message: r.message,
        })),
        clock.now(),
      );
      return { accepted, bytesWritten, failed };
    },
  };
}
