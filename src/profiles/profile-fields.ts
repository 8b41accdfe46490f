import type { ProfileFields } from "../ingest/index.ts";

/**
 * Profile fields as flat leaves: `FirstName`, `Address.City`, `Attributes.sfdcContactId`. Deriving,
 * manual protection and history all work per leaf, so an address part or one attribute can come
 * from a different source than its neighbours.
 */
export type Leaves = Record<string, string>;

/** Members that hold a structure rather than a string; their parts become `Member.Part` leaves. */
const NESTED = new Set(["Address", "ShippingAddress", "MailingAddress", "BillingAddress", "Attributes"]);
/** Members stored whole as JSON text (set by hand only). */
const OPAQUE = new Set(["EngagementPreferences"]);

/** The leaves of a profile-shaped value; undefined members are skipped, "" kept. */
export function flatten(profile: Record<string, unknown>): Leaves {
  const out: Leaves = {};
  for (const [k, v] of Object.entries(profile)) {
    if (v === undefined || v === null || k === "ProfileId") continue;
    if (NESTED.has(k) && typeof v === "object") {
      for (const [p, pv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof pv === "string") out[`${k}.${p}`] = pv;
      }
    } else if (OPAQUE.has(k)) {
      out[k] = JSON.stringify(v);
    } else if (typeof v === "string") {
      out[k] = v;
    }
  }
  return out;
}

/** The wire `Profile` members of a set of leaves; "" leaves (cleared) are left out. */
export function unflatten(leaves: Leaves): ProfileFields & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(leaves)) {
    if (v === "") continue;
    const dot = k.indexOf(".");
    if (dot > 0) {
      const head = k.slice(0, dot);
      const part = (out[head] as Record<string, string> | undefined) ?? {};
      part[k.slice(dot + 1)] = v;
      out[head] = part;
    } else if (OPAQUE.has(k)) {
      out[k] = JSON.parse(v);
    } else {
      out[k] = v;
    }
  }
  return out as ProfileFields & Record<string, unknown>;
}

/** One object's contribution to a profile, with what decides between sources. */
export interface FieldSource {
  leaves: Leaves;
  /** Source last-updated time (epoch ms), else the ingestion time. */
  timestamp: number;
  /** SourcePriority of its object type: lower wins; undefined is the lowest. */
  priority: number | null | undefined;
  /** Ingestion time: the last tie-breaker (later wins). */
  updatedAt: number;
  /** Stable tie-breaker (object type + key) so equal sources always resolve the same way. */
  id: string;
  /** An object of the domain's ConflictResolution SOURCE (`SourceName`): it wins before any other order. */
  preferred?: boolean;
}

/**
 * Orders sources best first: the preferred source (ConflictResolution SOURCE), then newest source
 * timestamp, then SourcePriority, then latest ingestion.
 */
export function compareSources(a: FieldSource, b: FieldSource): number {
  if ((a.preferred ?? false) !== (b.preferred ?? false)) return a.preferred ? -1 : 1;
  if (a.timestamp !== b.timestamp) return b.timestamp - a.timestamp;
  const pa = a.priority ?? Number.POSITIVE_INFINITY;
  const pb = b.priority ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The effective leaves: for each leaf the best source that has it (an absent value never clears),
 * then manual leaves on top (ingestion never overwrites them; "" hides the leaf).
 */
export function deriveLeaves(sources: FieldSource[], manual: Leaves): Leaves {
  const sorted = sources.length > 1 ? [...sources].sort(compareSources) : sources;
  const out: Leaves = {};
  for (const s of sorted) {
    for (const k in s.leaves) if (!(k in out)) out[k] = s.leaves[k]!;
  }
  for (const k in manual) {
    if (manual[k] === "") delete out[k];
    else out[k] = manual[k]!;
  }
  return out;
}

/** Leaf names whose value differs between two states (added, changed or removed), sorted. */
export function changedLeaves(before: Leaves, after: Leaves): string[] {
  const out: string[] = [];
  for (const k in after) if (before[k] !== after[k]) out.push(k);
  for (const k in before) if (!(k in after)) out.push(k);
  return out.sort();
}
