import type { LinkageRecord } from "../../ingest/matching/linkage-record.ts";
import { DEFAULT_GUARDS, ROLE_MAILBOXES } from "./rule-matcher.ts";

/**
 * The shared emails and phones (as `email:v` / `phone:v`): the precision guards' definition
 * (docs/matching.md) over the whole domain — a role mailbox, a value held by more than 10 profiles, or
 * one whose holders carry two or more different first names.
 */
export function sharedValues(records: readonly LinkageRecord[]): Set<string> {
  const holders = new Map<string, { count: number; names: Set<string> }>();
  const note = (k: string, r: LinkageRecord) => {
    const h = holders.get(k) ?? { count: 0, names: new Set<string>() };
    h.count++;
    if (r.firstName) h.names.add(r.firstName);
    holders.set(k, h);
  };
  for (const r of records) {
    for (const e of r.emails) note(`email:${e}`, r);
    for (const p of r.phones) note(`phone:${p}`, r);
  }
  const out = new Set<string>();
  for (const [k, h] of holders) {
    const local = k.startsWith("email:") ? k.slice(6, k.indexOf("@")) : undefined;
    if (
      (local !== undefined && ROLE_MAILBOXES.has(local)) ||
      h.count > DEFAULT_GUARDS.maxProfilesPerValue ||
      h.names.size > 1
    )
      out.add(k);
  }
  return out;
}
