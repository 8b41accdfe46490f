import { createHash } from "node:crypto";
import type { Insertable } from "kysely";
import type { ProfileDeadLettersTable } from "../db/schema/profiles.ts";
import { wellFormedText } from "../ingest/index.ts";

/** Objects are replaced by (domain, type, key). */
export const OBJECT_UPSERT = {
  columns: ["domain_name", "object_type_name", "object_key"],
  update: ["profile_id", "payload", "fields", "source_timestamp", "priority", "updated_at"],
};

/** ProfileObjectUniqueKey is 1–255 characters: longer UNIQUE values are shortened to a digest. */
export function objectKeyOf(value: string): string {
  if (value.length <= 255) return value;
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

/**
 * The record as stored: JSON text (JSON.stringify writes U+0000 as the escape `\u0000`, which
 * PostgreSQL's text column keeps); a record that is already text gets `wellFormedText`, as every
 * other text a vendor sends does, so it can be stored (and dead-lettered) on both dialects.
 */
export function payloadText(raw: unknown): string {
  return typeof raw === "string" ? wellFormedText(raw) : (JSON.stringify(raw) ?? "null");
}

export function deadLetter(
  id: string,
  domainName: string,
  typeName: string,
  objectKey: string | null,
  payload: string,
  code: string,
  message: string,
  now: number,
): Insertable<ProfileDeadLettersTable> {
  return {
    domain_name: domainName,
    dead_letter_id: id,
    object_type_name: typeName,
    // A vendor's key or a message quoting one may hold U+0000, which PostgreSQL's text refuses.
    object_key: objectKey === null ? null : wellFormedText(objectKey),
    payload,
    reason_code: code,
    message: wellFormedText(message),
    created_at: now,
  };
}
