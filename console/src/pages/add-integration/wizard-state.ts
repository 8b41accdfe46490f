import type { SourceId } from "./sources.ts";

/** One row of the mapping editor: a source field to a profile field, optionally a key. */
export interface MappingRow {
  /** Which row this is, however rows before it come and go (newMappingRow); never sent to the server. */
  id: string;
  source: string;
  target: string;
  /** "" (no key), or the key's StandardIdentifiers joined by "," (e.g. "PROFILE,UNIQUE"). */
  key: string;
}

/** How one source object is stored: a template, an object type the domain has, or a new mapping. */
export type ObjectTypeChoice =
  | { kind: "template"; templateId: string }
  | { kind: "existing"; objectTypeName: string }
  | { kind: "mapping"; objectTypeName: string; rows: MappingRow[] };

export interface ObjectPlan {
  object: string;
  choice: ObjectTypeChoice | undefined;
}

export type RoleChoice = { kind: "create"; name: string } | { kind: "existing"; arn: string };

/** Everything the wizard collects before Create integration. */
export interface WizardState {
  source: SourceId | undefined;
  readRequirements: boolean;
  connectionMode: "existing" | "new";
  /** The connection chosen or created, once it answered Connected. */
  connection: string | undefined;
  connected: boolean;
  objects: ObjectPlan[];
  /** YYYY-MM-DD. */
  startDate: string;
  role: RoleChoice | undefined;
}

/** YYYY-MM-DD of `ms` (UTC). */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function initialState(now: number): WizardState {
  return {
    source: undefined,
    readRequirements: false,
    connectionMode: "new",
    connection: undefined,
    connected: false,
    objects: [],
    startDate: isoDay(now - 30 * 86_400_000),
    role: undefined,
  };
}

/** Epoch ms of a YYYY-MM-DD start date (midnight UTC); NaN when not a date. */
export function startMs(day: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
}
