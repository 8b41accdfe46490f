import type { Clock } from "../core/clock.ts";
import type { RecordSink, SinkRejected } from "../flows/record-sink.ts";
import type { ProfileServices } from "../profiles/profile-services.ts";

/**
 * The flows engine's sink wired to the profiles ingest path: each page's records are mapped,
 * resolved and stored, and its deletions applied, inside the transaction that commits the page's
 * checkpoint. Bad records become dead letters (put failures) and the page goes on.
 */
export function profilesSink(
  profiles: Pick<ProfileServices, "ingestor" | "deadLetters">,
  clock: Clock,
): RecordSink {
  const { ingestor } = profiles;
  return {
    writeBatch: async (trx, batch) => {
      const { domainName, objectTypeName } = batch;
      const performedBy = `flow:${batch.flow.definition.flowName}`;
      const failed: SinkRejected[] = [];
      let accepted = 0;
      let bytesWritten = 0;
      if (batch.records.length > 0) {
        const raws = batch.records.map((r) => r.data);
        const summary = await ingestor.ingestInTransaction(trx, domainName, objectTypeName, raws, {
          performedBy,
        });
        accepted = summary.accepted + summary.ignored;
        bytesWritten = summary.bytes;
        summary.results.forEach((res, i) => {
          if (res.status !== "dead_lettered") return;
          const rec = batch.records[i]!;
          failed.push({
            recordId: rec.id,
            data: rec.data,
            code: res.reason?.code ?? "DEAD_LETTER",
            message: res.reason?.message ?? "",
          });
        });
      }
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
