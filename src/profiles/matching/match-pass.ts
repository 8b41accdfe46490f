import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import type { MatchingRules, MatchValue } from "../../ingest/matching/matching-rules.ts";
import type { RawSqlite } from "../bulk.ts";
import type { DomainBoxes } from "../domain-sealer.ts";
import type { MatchGuards } from "./rule-matcher.ts";

/** What an ingest batch hands its matching pass. */
export interface KnownValues {
  /** Values of profiles the batch created (they hold only its objects). */
  profiles?: ReadonlyMap<string, MatchValue[]>;
  /** Values of the objects the batch wrote (of one type), by object key. */
  objects?: { typeName: string; values: ReadonlyMap<string, MatchValue[]> };
  /** SQLite's raw connection under the transaction: the holders are then probed with prepared statements. */
  raw?: RawSqlite | undefined;
}

/** What one matching pass works in: the transaction, the domain, its rules and guards. */
export interface MatchPass {
  readonly trx: Kysely<Database>;
  readonly dialect: DialectName;
  readonly domainName: string;
  readonly boxes: DomainBoxes;
  readonly rules: MatchingRules;
  readonly now: number;
  readonly guards: MatchGuards | undefined;
  readonly known: KnownValues;
  /** Held matches this pass recorded (match id → level and hold): a later round finding one again keeps the row. */
  readonly recorded: Map<string, string>;
}
