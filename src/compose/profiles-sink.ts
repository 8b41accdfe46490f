import type { Clock } from "../core/clock.ts";
import { hexId } from "../core/ids.ts";
import type { RecordSink, SinkRejected } from "../flows/record-sink.ts";
import { wellFormedText } from "../ingest/index.ts";
import type { ProfileIngestor } from "../profiles/profile-ingestor.ts";

const DEAD_LETTER_ROWS_PER_STATEMENT = 1_000;

/**
 * The flows engine's sink wired to the profiles ingest path: each page's records are mapped,
 * resolved and stored, and its deletions applied, inside the transaction that commits the page's
 * checkpoint. Bad records become dead letters (put failures) and the page goes on.
 */
export function profilesSink(ingestor: ProfileIngestor, clock: Clock): RecordSink {
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
      if (batch.rejected.length > 0) {
        // Records the connector or the flow's tasks refused never reach mapping: keep them as dead letters too.
        const now = clock.now();
        const rows = batch.rejected.map((r) => ({
          domain_name: domainName,
          dead_letter_id: hexId(),
          object_type_name: objectTypeName,
          // The vendor's id and a message quoting a value may hold U+0000, which PostgreSQL's text refuses.
          object_key: r.recordId === undefined ? null : wellFormedText(r.recordId),
          payload: JSON.stringify(r.data) ?? "null",
          reason_code: r.code,
          message: wellFormedText(r.message),
          created_at: now,
        }));
        // 8 bound values a row: a page group (up to 10,000 records) in one statement passed SQLite's 32,766.
        for (let i = 0; i < rows.length; i += DEAD_LETTER_ROWS_PER_STATEMENT) {
          await trx
            .insertInto("profile_dead_letters")
            .values(rows.slice(i, i + DEAD_LETTER_ROWS_PER_STATEMENT))
            .execute();
        }
      }
      return { accepted, bytesWritten, failed };
    },
  };
}
