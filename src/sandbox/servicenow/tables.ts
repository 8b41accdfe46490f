import type { ObjectStore, RecordVersion } from "../core/object-store.ts";
import { hash32 } from "../core/rng.ts";
import { servicenowSysId } from "../population/ids.ts";
import type { FieldKind } from "./encoded-query.ts";
import { toGlide } from "./glide-time.ts";
import { tableSalt } from "./servicenow-objects.ts";

/** A raw row: every value a string, references as bare sys_ids (rendering adds `{link, value}`). */
export type Row = Record<string, string>;

/** Stamp bounds `[from, to)` in ms, to narrow a store scan before the exact query runs. */
export interface StampBounds {
  from?: number;
  to?: number;
}

/** One Table API table: its dictionary, reference targets, and where its rows come from. */
export interface TableSpec {
  name: string;
  kinds: Readonly<Record<string, FieldKind>>;
  references: Readonly<Record<string, string>>;
  /** The field whose value is the row's stamp (narrowing queries on it narrows the scan). */
  stampField: string;
  /** The stores behind the table (mid-read changes are applied to these). */
  stores: ObjectStore[];
  /** Rows visible at `now` with stamps in `bounds`, in (stamp, sys_id) order. */
  rows(now: number, bounds: StampBounds): Row[];
  /** The row of one sys_id, or undefined. */
  row(sysId: string, now: number): Row | undefined;
}

const sysFields: Record<string, FieldKind> = {
  sys_id: "string",
  sys_created_on: "glide_date_time",
  sys_created_by: "string",
  sys_updated_on: "glide_date_time",
  sys_updated_by: "string",
  sys_mod_count: "integer",
  sys_class_name: "string",
  sys_domain: "reference",
};

const userKinds: Record<string, FieldKind> = {
  ...sysFields,
  ...Object.fromEntries(
    [
      "user_name",
      "first_name",
      "middle_name",
      "last_name",
      "name",
      "email",
      "phone",
      "home_phone",
      "mobile_phone",
      "street",
      "city",
      "state",
      "zip",
      "country",
      "gender",
      "title",
      "notification",
    ].map((f) => [f, "string" as FieldKind]),
  ),
  active: "boolean",
  locked_out: "boolean",
  web_service_access_only: "boolean",
};

const taskKinds: Record<string, FieldKind> = {
  ...sysFields,
  number: "string",
  short_description: "string",
  description: "string",
  state: "integer",
  priority: "integer",
  impact: "integer",
  urgency: "integer",
  opened_by: "reference",
  assigned_to: "reference",
  active: "boolean",
};

const incidentKinds: Record<string, FieldKind> = {
  ...taskKinds,
  caller_id: "reference",
  category: "string",
  incident_state: "integer",
  resolved_at: "glide_date_time",
  close_code: "string",
};

const auditDeleteKinds: Record<string, FieldKind> = {
  ...sysFields,
  tablename: "string",
  documentkey: "string",
  display_value: "string",
  payload: "string",
};

const domainRef = { sys_domain: "sys_user_group" };

/** A store version as a raw row of `kinds` (timestamps from the version, every value a string). */
function rowOf(store: ObjectStore, v: RecordVersion, kinds: Readonly<Record<string, FieldKind>>): Row {
  const fields = store.fields(v);
  const row: Row = {};
  for (const f of Object.keys(kinds)) {
    const value = fields[f];
    row[f] = value === undefined || value === null ? "" : String(value);
  }
  row.sys_created_on = toGlide(v.createdAt);
  row.sys_updated_on = toGlide(v.stamp);
  if (row.resolved_at === "@updated") row.resolved_at = row.sys_updated_on;
  return row;
}

function storeTable(
  name: string,
  store: ObjectStore,
  kinds: Record<string, FieldKind>,
  references: Record<string, string>,
): TableSpec {
  return {
    name,
    kinds,
    references,
    stampField: "sys_updated_on",
    stores: [store],
    rows: (now, b) => [...store.scan({ now, ...b })].map((v) => rowOf(store, v, kinds)),
    row(sysId, now) {
      const v = store.byId(sysId, now);
      return v && !v.deleted ? rowOf(store, v, kinds) : undefined;
    },
  };
}

/** The sys_audit_delete row recording the deletion `v` of a record of `store`. */
function auditRow(store: ObjectStore, v: RecordVersion): Row {
  const fields = store.fields(v);
  const table = store.def.name;
  const documentkey = store.def.idOf(v.index);
  const display = String(fields.number ?? fields.name ?? documentkey);
  const at = toGlide(v.stamp);
  return {
    sys_id: servicenowSysId(hash32(tableSalt("sys_audit_delete"), tableSalt(table)), v.index),
    tablename: table,
    documentkey,
    display_value: display,
    payload: `<?xml version="1.0" encoding="UTF-8"?><record_update table="${table}"><${table} action="DELETE"><sys_id>${documentkey}</sys_id></${table}></record_update>`,
    sys_created_on: at,
    sys_created_by: "admin",
    sys_updated_on: at,
    sys_updated_by: "admin",
    sys_mod_count: "0",
    sys_class_name: "sys_audit_delete",
    sys_domain: "global",
  };
}

/**
 * The simulated tables: sys_user, incident, task (every incident also is a task, with the task fields and
 * `sys_class_name=incident`, as in the platform's table hierarchy) and sys_audit_delete (one row per deletion).
 */
export function buildTables(users: ObjectStore, incidents: ObjectStore): Map<string, TableSpec> {
  const refs = { opened_by: "sys_user", assigned_to: "sys_user", ...domainRef };
  const audited = [users, incidents];
  const auditRows = (now: number, b: StampBounds) =>
    audited
      .flatMap((s) =>
        [...s.scan({ now, ...b, includeDeleted: true })].filter((v) => v.deleted).map((v) => auditRow(s, v)),
      )
      .sort((x, y) =>
        x.sys_created_on! < y.sys_created_on! ? -1 : x.sys_created_on! > y.sys_created_on! ? 1 : 0,
      );
  const audit: TableSpec = {
    name: "sys_audit_delete",
    kinds: auditDeleteKinds,
    references: domainRef,
    stampField: "sys_created_on",
    stores: [],
    rows: auditRows,
    row: (sysId, now) => auditRows(now, {}).find((r) => r.sys_id === sysId),
  };
  const tables: TableSpec[] = [
    storeTable("sys_user", users, userKinds, domainRef),
    storeTable("incident", incidents, incidentKinds, { ...refs, caller_id: "sys_user" }),
    storeTable("task", incidents, taskKinds, refs),
    audit,
  ];
  return new Map(tables.map((t) => [t.name, t]));
}
