import { createHash } from "node:crypto";
import type { Insertable } from "kysely";
import type { ProfileDeadLettersTable } from "../db/schema/profiles.ts";

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

export function payloadText(raw: unknown): string {
  return typeof raw === "string" ? raw : (JSON.stringify(raw) ?? "null");
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
    object_key: objectKey,
    payload,
    reason_code: code,
    message,
    created_at: now,
  };
}
