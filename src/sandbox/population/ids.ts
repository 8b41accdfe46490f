/**
 * Vendor id formats, shared by every simulator so cross-references (a Marketo lead's sfdcContactId, a
 * ServiceNow incident's caller_id) point at the ids the other simulator serves. Ids sort in index order.
 */
const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/** Salesforce key prefixes of the simulated objects. */
export const SALESFORCE_PREFIX = { Account: "001", Contact: "003", Asset: "02i", Case: "500" } as const;

/** The 18-character Salesforce id of record `index` of the object with key prefix `prefix`. */
export function salesforceId(prefix: string, index: number): string {
  // The checksum suffix flags the upper-case characters of each 5-character chunk of the 15-character id:
  // the first chunk is the fixed `${prefix}Sb`, the other two are the base-62 body, upper case for 10–35.
  let head = HEAD_BITS.get(prefix);
  if (head === undefined) {
    head = upperBits(`${prefix}Sb`);
    HEAD_BITS.set(prefix, head);
  }
  let body = "";
  let bits1 = 0;
  let bits2 = 0;
  let n = index;
  for (let i = 9; i >= 0; i--) {
    const d = n % 62;
    body = B62[d] + body;
    if (d >= 10 && d < 36) {
      if (i < 5) bits1 |= 1 << i;
      else bits2 |= 1 << (i - 5);
    }
    n = Math.floor(n / 62);
  }
  return `${prefix}Sb${body}${SUFFIX[head]}${SUFFIX[bits1]}${SUFFIX[bits2]}`;
}

const HEAD_BITS = new Map<string, number>();

function upperBits(chunk: string): number {
  let bits = 0;
  for (let i = 0; i < 5; i++) {
    const c = chunk.charCodeAt(i);
    if (c >= 65 && c <= 90) bits |= 1 << i;
  }
  return bits;
}

/** The index of a Salesforce id made by `salesforceId` (15 or 18 chars), or undefined. */
export function salesforceIndex(prefix: string, id: string): number | undefined {
  if ((id.length !== 15 && id.length !== 18) || !id.startsWith(`${prefix}Sb`)) return undefined;
  let n = 0;
  for (const ch of id.slice(5, 15)) {
    const d = B62.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 62 + d;
  }
  return n;
}

/** A ServiceNow sys_id (32 hex) for record `index` of `table`; sorts in index order. */
export function servicenowSysId(tableSalt: number, index: number): string {
  const head = index.toString(16).padStart(10, "0");
  let tail = "";
  let h = (tableSalt ^ 0x5bd1e995) >>> 0;
  for (let i = 0; i < 22; i++) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + index + i) >>> 0;
    tail += (h & 15).toString(16);
  }
  return head + tail;
}

/** The index of a sys_id made by `servicenowSysId`, or undefined. */
export function servicenowIndex(sysId: string): number | undefined {
  if (!/^[0-9a-f]{32}$/.test(sysId)) return undefined;
  return Number.parseInt(sysId.slice(0, 10), 16);
}

/** Numeric id bases: Marketo lead ids, Zendesk user and ticket ids. */
export const NUMERIC_ID_BASE = { marketoLead: 1001, zendeskUser: 361_000_000_001, zendeskTicket: 1 } as const;
