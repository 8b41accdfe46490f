import { hexId } from "../core/ids.ts";
import type { Queryable } from "../db/queryable.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { deadLetter } from "./ingest-rows.ts";
import { decodePageToken, type Page, toPage } from "./page-token.ts";

/** A record that could not be ingested, kept with its reason so it can be fixed and replayed. */
export interface DeadLetter {
  id: string;
  objectTypeName: string;
  profileObjectUniqueKey?: string;
  /** The record as received (JSON text, or whatever text was sent). */
  object: string;
  reasonCode: string;
  message: string;
  createdAt: number;
}

/** A record to keep as a dead letter: refused before it reached mapping (by the connector or a flow task). */
export interface NewDeadLetter {
  objectTypeName: string;
  /** The source's id of the record, when it has one. */
  objectKey: string | undefined;
  /** The record as received. */
  data: unknown;
  reasonCode: string;
  message: string;
}

/** 8 bound values a row: a page group (up to 10,000 records) in one statement passed SQLite's 32,766. */
const ROWS_PER_STATEMENT = 1_000;

/** Dead letters per domain, newest first; their records sealed under the domain's data key. */
export class DeadLetterStore {
  constructor(private readonly sealer: DomainSealer = plainSealer) {}

  /** Stores `letters` in the caller's transaction, each record sealed with the domain's box. */
  async addIn(
    q: Queryable,
    domainName: string,
    letters: readonly NewDeadLetter[],
    now: number,
  ): Promise<void> {
    if (letters.length === 0) return;
    const boxes = await this.sealer.boxesIn(q, domainName);
    const box = boxes.at("profile_dead_letters.payload");
    const messages = boxes.at("profile_dead_letters.message");
    const rows = letters.map((l) => {
      const row = deadLetter(
        hexId(),
        domainName,
        l.objectTypeName,
        l.objectKey ?? null,
        box.seal(JSON.stringify(l.data) ?? "null"),
        l.reasonCode,
        l.message,
        now,
      );
      // A connector's or task's message may quote the record: sealed like it.
      return { ...row, message: messages.seal(row.message) };
    });
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await q
        .insertInto("profile_dead_letters")
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .execute();
    }
  }

  /** One page of a domain's dead letters, newest first, optionally of one object type. */
  async list(
    q: Queryable,
    domainName: string,
    filter: { objectTypeName?: string | undefined },
    page: { nextToken?: string | undefined; maxResults: number },
  ): Promise<Page<DeadLetter>> {
    const offset = decodePageToken(page.nextToken);
    let query = q.selectFrom("profile_dead_letters").selectAll().where("domain_name", "=", domainName);
    if (filter.objectTypeName !== undefined)
      query = query.where("object_type_name", "=", filter.objectTypeName);
    const rows = await query
      .orderBy("created_at", "desc")
      .orderBy("dead_letter_id")
      .limit(page.maxResults + 1)
      .offset(offset)
      .execute();
    const boxes = await this.sealer.boxesIn(q, domainName);
    const box = boxes.at("profile_dead_letters.payload");
    const messages = boxes.at("profile_dead_letters.message");
    const items = rows.map((r) => {
      const d: DeadLetter = {
        id: r.dead_letter_id,
        objectTypeName: r.object_type_name,
        object: box.open(r.payload),
        reasonCode: r.reason_code,
        message: messages.open(r.message),
        createdAt: r.created_at,
      };
      if (r.object_key !== null) d.profileObjectUniqueKey = r.object_key;
      return d;
    });
    return toPage(items, offset, page.maxResults);
  }
}
