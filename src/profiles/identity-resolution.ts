import type { MappedKey } from "../ingest/index.ts";
import { pairKey } from "./key-index.ts";

/** A key that matched several profiles and was therefore not used. */
export interface AmbiguousKey {
  keyName: string;
  value: string;
  profiles: number;
}

/** The outcome of looking for an object's profile by its keys. */
export interface KeyMatch {
  /** The one profile found, when a key matched exactly one. */
  profileId?: string;
  /** The key and value that found it. */
  matchedBy?: { keyName: string; value: string };
  ambiguous: AmbiguousKey[];
}

const isPrimary = (k: MappedKey) =>
  (k.identifiers.includes("PROFILE") || k.identifiers.includes("LOOKUP_ONLY")) &&
  !k.identifiers.includes("SECONDARY");
const isSecondary = (k: MappedKey) =>
  k.identifiers.includes("PROFILE") && k.identifiers.includes("SECONDARY");

/** The keys that take part in matching, in the order they are tried: PROFILE keys, then SECONDARY ones. */
export function matchingKeys(keys: readonly MappedKey[]): MappedKey[] {
  return [...keys.filter(isPrimary), ...keys.filter(isSecondary)];
}

/**
 * Finds an object's profile as Customer Profiles documents it: each PROFILE key in turn, then each
 * PROFILE+SECONDARY key; a value held by exactly one profile matches, a value held by several is
 * ambiguous and skipped (a shared value must never join unrelated people). Keys without
 * StandardIdentifiers, or with only UNIQUE/ASSET/CASE…, never match.
 */
export function matchProfile(
  keys: readonly MappedKey[],
  owners: (pair: string) => ReadonlySet<string> | undefined,
): KeyMatch {
  const ambiguous: AmbiguousKey[] = [];
  for (const k of matchingKeys(keys)) {
    const found = owners(pairKey(k.name, k.value));
    if (!found || found.size === 0) continue;
    if (found.size > 1) {
      ambiguous.push({ keyName: k.name, value: k.value, profiles: found.size });
      continue;
    }
    const [profileId] = found;
    return { profileId: profileId!, matchedBy: { keyName: k.name, value: k.value }, ambiguous };
  }
  return { ambiguous };
}

/**
 * The keys stored with an object: LOOKUP_ONLY keys only find, NEW_ONLY keys are kept only on a
 * profile this object created; every other key (including ones with no identifiers) is stored.
 */
export function storedKeys(keys: readonly MappedKey[], createdProfile: boolean): MappedKey[] {
  return keys.filter(
    (k) => !k.identifiers.includes("LOOKUP_ONLY") && (createdProfile || !k.identifiers.includes("NEW_ONLY")),
  );
}
