import type { Json } from "../json-column.ts";

/**
 * Tables of domains and object types (src/profiles/domain-store.ts, object-type-store.ts).
 * JSON members are stored as text on both dialects: jsonb would reorder the keys of `Fields` and
 * `Keys`, and the API echoes them as they were put.
 */
export interface DomainsTable {
  domain_name: string;
  default_expiration_days: number;
  /** The key ARN the caller gave; null when none (then generated_encryption_key applies). */
  default_encryption_key: string | null;
  /** A KMS-style key ARN generated once at creation and kept for the domain's life. */
  generated_encryption_key: string;
  dead_letter_queue_url: string | null;
  /** JSON text of the wire `Matching` member, as given. */
  matching: Json<"domains.matching"> | null;
  /** JSON text of the wire `RuleBasedMatching` member, as given. */
  rule_based_matching: Json<"domains.rule_based_matching"> | null;
  /** JSON text of the wire `DataStore` member, as given. */
  data_store: Json<"domains.data_store"> | null;
  created_at: number;
  updated_at: number;
}

export interface ObjectTypesTable {
  domain_name: string;
  object_type_name: string;
  /** JSON text of the validated PutProfileObjectType request without Tags (template members unexpanded). */
  definition: Json<"object_types.definition">;
  /** 1 when created implicitly from a template by first use, 0 when put explicitly. */
  implicit: number;
  created_at: number;
  updated_at: number;
}

export interface DomainTables {
  domains: DomainsTable;
  object_types: ObjectTypesTable;
}
