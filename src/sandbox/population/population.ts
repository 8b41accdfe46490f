import { hash32, strHash } from "../core/rng.ts";
import { AffinePermutation } from "./permutation.ts";
import { type Company, makeCompany, makePerson, type Person } from "./person.ts";
import { type PersonView, viewOf } from "./variation.ts";

/** The four sources a person can appear in. */
export type SourceName = "salesforce" | "marketo" | "zendesk" | "servicenow";

/**
 * The documented share of persons present in each source (Salesforce = Contacts, Marketo = leads, Zendesk =
 * users, ServiceNow = sys_user). Membership is independent per source, so ~30% are in both SF and Marketo.
 */
export const DEFAULT_SHARES: Readonly<Record<SourceName, number>> = {
  salesforce: 0.6,
  marketo: 0.5,
  zendesk: 0.4,
  servicenow: 0.3,
};

const SOURCE_SLOT: Record<SourceName, number> = { salesforce: 0, marketo: 1, zendesk: 2, servicenow: 3 };

/** Options of a population: `people` persons in `people / peoplePerCompany` companies. */
export interface PopulationOptions {
  seed: number;
  people?: number;
  peoplePerCompany?: number;
  shares?: Partial<Record<SourceName, number>>;
}

/** Child records spread over parents (tickets over users, cases over contacts): lazily, O(1) per lookup. */
export class ChildMap {
  readonly count: number;
  readonly #parents: number;
  readonly #perm: AffinePermutation;
  constructor(seed: number, parents: number, perParent: number, salt: string) {
    this.#parents = Math.max(1, parents);
    this.count = parents > 0 ? Math.round(parents * perParent) : 0;
    this.#perm = new AffinePermutation(this.#parents, seed, strHash(salt));
  }
  /** The parent index of child `k` (any k >= 0). */
  parentOf(k: number): number {
    return this.#perm.apply(k % this.#parents);
  }
}

/**
 * The seeded, lazy population: persons and companies as pure functions of (seed, index), the membership of
 * each source as a permutation, and per-source views with realistic noise. Nothing is stored per person.
 */
export class Population {
  readonly seed: number;
  readonly people: number;
  readonly companies: number;
  readonly shares: Readonly<Record<SourceName, number>>;
  readonly #perms: Record<SourceName, AffinePermutation>;
  // Bounded memo caches: pages and truth rows ask for the same person several times in a row.
  readonly #personCache = new SlotCache<Person>();
  readonly #companyCache = new SlotCache<Company>();
  readonly #viewCache = [0, 1, 2, 3].map(() => new SlotCache<PersonView>());

  constructor(options: PopulationOptions) {
    this.seed = options.seed >>> 0;
    this.people = Math.max(1, Math.floor(options.people ?? 1000));
    this.companies = Math.max(1, Math.ceil(this.people / (options.peoplePerCompany ?? 8)));
    this.shares = { ...DEFAULT_SHARES, ...options.shares };
    const perm = (s: SourceName) => new AffinePermutation(this.people, this.seed, 7000 + SOURCE_SLOT[s]);
    this.#perms = {
      salesforce: perm("salesforce"),
      marketo: perm("marketo"),
      zendesk: perm("zendesk"),
      servicenow: perm("servicenow"),
    };
  }

  /** How many generated person records source `s` holds. */
  count(s: SourceName): number {
    return Math.round(this.people * this.shares[s]);
  }

  /** The person index behind member `k` of source `s`; members created while running get new persons. */
  personOf(s: SourceName, k: number): number {
    const n = this.count(s);
    if (k < n) return this.#perms[s].apply(k);
    return this.people + (k - n) * 4 + SOURCE_SLOT[s];
  }

  /** The member index of person `p` in source `s`, or undefined when the person is not in it. */
  memberOf(s: SourceName, p: number): number | undefined {
    if (p >= this.people) {
      const rest = p - this.people;
      return rest % 4 === SOURCE_SLOT[s] ? this.count(s) + Math.floor(rest / 4) : undefined;
    }
    const k = this.#perms[s].invert(p);
    return k < this.count(s) ? k : undefined;
  }

  /** Person `p` (canonical facts). */
  person(p: number): Person {
    let v = this.#personCache.get(p);
    if (v === undefined) {
      v = makePerson(this.seed, p, this.companies);
      this.#personCache.set(p, v);
    }
    return v;
  }

  /** Company `c`. */
  company(c: number): Company {
    let v = this.#companyCache.get(c);
    if (v === undefined) {
      v = makeCompany(this.seed, c);
      this.#companyCache.set(c, v);
    }
    return v;
  }

  /** Person `p` as source `s` shows them (noise applied). */
  view(s: SourceName, p: number): PersonView {
    const cache = this.#viewCache[SOURCE_SLOT[s]]!;
    let v = cache.get(p);
    if (v === undefined) {
      const person = this.person(p);
      // Only shared-mailbox users need their company; the others skip building it.
      const company = person.usesSharedEmail ? this.company(person.companyIndex) : undefined;
      v = viewOf(this.seed, person, company, 100 + SOURCE_SLOT[s]);
      cache.set(p, v);
    }
    return v;
  }

  /** A child map (e.g. 2 tickets per Zendesk user) seeded by this population. */
  children(parents: number, perParent: number, salt: string): ChildMap {
    return new ChildMap(hash32(this.seed, 31), parents, perParent, salt);
  }

  /** The person id string of index `p`. */
  personId(p: number): string {
    return `p${String(p).padStart(6, "0")}`;
  }

  /** The company id string of index `c`. */
  companyId(c: number): string {
    return `c${String(c).padStart(5, "0")}`;
  }
}

/**
 * A direct-mapped cache of 1,024 slots: rendering one record asks for the same person several times, while
 * a scan over a million never repeats — a Map there only fed the garbage collector.
 */
class SlotCache<V> {
  readonly #keys = new Float64Array(1024).fill(-1);
  readonly #values: Array<V | undefined> = new Array(1024);
  /** The cached value of `key`, or undefined. */
  get(key: number): V | undefined {
    const slot = key & 1023;
    return this.#keys[slot] === key ? this.#values[slot] : undefined;
  }
  /** Caches `v` for `key`, evicting whatever shared its slot. */
  set(key: number, v: V): void {
    const slot = key & 1023;
    this.#keys[slot] = key;
    this.#values[slot] = v;
  }
}
