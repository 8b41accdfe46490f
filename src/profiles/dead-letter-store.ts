import type { Queryable } from "../db/queryable.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
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

/** Dead letters per domain, newest first. */
export class DeadLetterStore {
  constructor(private readonly sealer: DomainSealer = plainSealer) {}

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
    const box = await this.sealer.boxIn(q, domainName);
    const items = rows.map((r) => {
      const d: DeadLetter = {
        id: r.dead_letter_id,
        objectTypeName: r.object_type_name,
        object: box.open(r.payload),
        reasonCode: r.reason_code,
        message: r.message,
        createdAt: r.created_at,
      };
      if (r.object_key !== null) d.profileObjectUniqueKey = r.object_key;
      return d;
    });
    return toPage(items, offset, page.maxResults);
  }
}
