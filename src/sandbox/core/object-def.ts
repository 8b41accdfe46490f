/** A key value a record contributes under the shipped template rules, e.g. `_salesforceContactId = 003…`. */
export interface KeyValue {
  key: string;
  value: string;
}

/** Which person a source record belongs to and which profile it must join. */
export interface TruthLinks {
  /** The population person (`p000042`), or null for company records (Accounts). */
  personId: string | null;
  /** The population company (`c0007`) when the record belongs to one. */
  companyId: string | null;
  /** The key the record must join its profile under (the person record's own id, or the id it points at). */
  profileKey: KeyValue;
  /** Every key value the record contributes under the template (profileKey included). */
  keys: KeyValue[];
}

/**
 * How a vendor simulator describes one object to the lazy store: a pure generator for record i plus id
 * mapping. `generate` must work for any index >= 0: indices past `count` are records created while running.
 */
export interface ObjectDef {
  vendor: string;
  name: string;
  /** Records in the generated history. */
  count: number;
  /** The vendor id of record `index`; must sort (as strings or numbers) in index order. */
  idOf(index: number): string;
  /** The index of a vendor id, or undefined when it is not one of ours. */
  indexOf(id: string): number | undefined;
  /** The record's vendor fields except the timestamps, which the store owns. */
  generate(index: number): Record<string, unknown>;
  /** Ground-truth links of record `index` with its current `fields`. */
  truth(index: number, fields: Readonly<Record<string, unknown>>): TruthLinks;
  /** A realistic update (a few changed fields) for churn, bursts and mid-read changes; `n` varies it. */
  change(index: number, n: number, fields: Readonly<Record<string, unknown>>): Record<string, unknown>;
}
