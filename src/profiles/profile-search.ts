import { CompiledOnce } from "../db/compiled-once.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import { encodeValues, inEncodedValues } from "./bulk.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";
import type { Profile, ProfileStore } from "./profile-store.ts";

/** One search criterion: a key name and the values to look for. */
export interface SearchKey {
  keyName: string;
  values: string[];
}

/** A found profile with the keys and values that found it. */
export type FoundProfile = Profile & { FoundByItems?: { KeyName: string; Values: string[] }[] };

/** SearchProfiles: profiles holding any of the values of a key; several keys combined with AND or OR. */
export class ProfileSearch {
  /** A key's rows holding any of some values: [domain, key name, encoded values]. */
  readonly #keyRows: CompiledOnce<{ profile_id: string; key_value: string }>;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly dialect: DialectName,
  ) {
    this.#keyRows = new CompiledOnce(3, (q, [domain, keyName, values]) =>
      q
        .selectFrom("profile_keys")
        .select(["profile_id", "key_value"])
        .where("domain_name", "=", domain as string)
        .where("key_name", "=", keyName as string)
        .where(inEncodedValues(dialect, "key_value", values)),
    );
  }

  /**
   * Values are normalized by the key's content type, as they were when indexed. Results are ordered
   * by ProfileId; `FoundByItems` is returned when more than one key was searched.
   */
  async search(
    q: Queryable,
    domainName: string,
    keys: SearchKey[],
    operator: "AND" | "OR",
    page: { nextToken?: string | undefined; maxResults: number },
  ): Promise<{ items: FoundProfile[]; nextToken?: string }> {
    const offset = decodePageToken(page.nextToken);
    const boxes = await this.profiles.sealer.boxesIn(q, domainName);
    const perKey: Map<string, string[]>[] = [];
    for (const k of keys) perKey.push(await this.#matches(q, domainName, k, boxes));
    let ids: string[];
    if (operator === "AND") {
      ids = [...(perKey[0]?.keys() ?? [])].filter((id) => perKey.every((m) => m.has(id)));
    } else {
      ids = [...new Set(perKey.flatMap((m) => [...m.keys()]))];
    }
    ids.sort();
    const slice = ids.slice(offset, offset + page.maxResults);
    const found = await this.profiles.getMany(q, domainName, slice, boxes);
    const items: FoundProfile[] = [];
    for (const id of slice) {
      const p = found.get(id);
      if (!p) continue;
      const out: FoundProfile = { ...p };
      if (keys.length > 1) {
        out.FoundByItems = keys.flatMap((k, i) => {
          const values = perKey[i]!.get(id);
          return values ? [{ KeyName: k.keyName, Values: values }] : [];
        });
      }
      items.push(out);
    }
    const more = offset + page.maxResults < ids.length;
    return more ? { items, nextToken: encodePageToken(offset + page.maxResults) } : { items };
  }

  /** Profile id → the (normalized) values of this key that found it. */
  async #matches(
    q: Queryable,
    domainName: string,
    key: SearchKey,
    boxes: DomainBoxes,
  ): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (key.keyName === "_profileId") {
      const found = await this.profiles.getMany(q, domainName, key.values, boxes);
      for (const id of found.keys()) out.set(id, [id]);
      return out;
    }
    const values = await this.profiles.normalize(q, domainName, key.keyName, key.values);
    if (values.length === 0) return out;
    // Stored values are the domain's blind indexes of the values (the values themselves in a plain domain).
    const plainOf = new Map(values.map((v) => [boxes.index(key.keyName, v), v]));
    const rows = await this.#keyRows.execute(q, [
      domainName,
      key.keyName,
      encodeValues(this.dialect, [...plainOf.keys()]),
    ]);
    // A Set per profile: one value can be stored several times for a profile (one row per object holding it).
    const seen = new Map<string, Set<string>>();
    for (const r of rows) {
      const value = plainOf.get(r.key_value) ?? r.key_value;
      const set = seen.get(r.profile_id);
      if (set) set.add(value);
      else seen.set(r.profile_id, new Set([value]));
    }
    for (const [id, set] of seen) out.set(id, [...set]);
    return out;
  }
}
