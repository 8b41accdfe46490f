/**
 * Derives Marketo's activity stream from the lead store. Each generated lead contributes one activity
 * at its generated stamp (New Lead when it was created then, Change Data Value otherwise); each lead
 * that changed while running contributes its current overlay version (New Lead, Change Data Value or
 * Delete Lead). Earlier overlay versions of the same lead are collapsed into the latest, so the set of
 * lead ids changed since any point is exact while intermediate activities are not kept.
 */
import type { ObjectStore, RecordVersion } from "../core/index.ts";
import { pick } from "../core/index.ts";
import { type Activity, activityTypes, type FieldChange } from "./activity-feed.ts";
import { leadId } from "./lead-def.ts";
import { leadField } from "./lead-fields.ts";
import type { ActivityPosition } from "./paging-token.ts";

/** Overlay activity ids start here so they never meet generated ones (which are lead index + 1). */
const OVERLAY_ID_BASE = 1_000_000_000;
const GENERATED_CHANGE_FIELDS = ["title", "phone", "leadSource", "city"] as const;

/** The visible activities strictly after `after`, ordered by (date, order), as of sandbox time `now`. */
export function* leadActivities(
  store: ObjectStore,
  after: ActivityPosition,
  now: number,
): Generator<Activity> {
  if (store.overlaySize === 0) {
    yield* generatedAfter(store, after, now);
    return;
  }
  // Overlay versions are fetched in the stamp ranges the generated walk has reached, so a page costs
  // what it reads rather than a walk over every later generated record.
  const buffer: Activity[] = [];
  let fetchedTo = after.at;
  const fetch = (to: number) => {
    if (to <= fetchedTo) return;
    buffer.push(...overlayIn(store, after, fetchedTo, to, now));
    fetchedTo = to;
  };
  const before = (x: Activity, y: Activity) => x.at < y.at || (x.at === y.at && x.order < y.order);
  for (const a of generatedAfter(store, after, now)) {
    fetch(a.at + 1);
    while (buffer.length > 0 && before(buffer[0]!, a)) yield buffer.shift()!;
    yield a;
  }
  fetch(now + 1);
  yield* buffer;
}

const isAfter = (at: number, order: number, p: ActivityPosition) =>
  at > p.at || (at === p.at && order > p.id);

function* generatedAfter(store: ObjectStore, after: ActivityPosition, now: number): Generator<Activity> {
  const n = store.def.count;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (store.generatedStamp(mid) < after.at) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < n; i++) {
    const v = store.generated(i);
    if (v.stamp > now) return;
    const order = 2 * i + 1;
    if (!isAfter(v.stamp, order, after)) continue;
    const fields = store.fields(v);
    const base = { id: i + 1, leadId: leadId(i), at: v.stamp, order };
    if (v.createdAt === v.stamp) {
      yield { ...base, activityTypeId: activityTypes.newLead, fields: [] };
      continue;
    }
    const name = pick(GENERATED_CHANGE_FIELDS, v.stamp, i);
    const value = fields[name];
    yield {
      ...base,
      activityTypeId: activityTypes.changeDataValue,
      fields: [
        { id: leadField(name)!.id, name, newValue: value == null ? null : String(value), oldValue: null },
      ],
    };
  }
}

/** Overlay activities with stamps in [from, to), ordered by (stamp, index). */
function overlayIn(
  store: ObjectStore,
  after: ActivityPosition,
  from: number,
  to: number,
  now: number,
): Activity[] {
  const out: Activity[] = [];
  for (const v of store.scan({ from, to, now, includeDeleted: true })) {
    if (v.seq === 0) continue;
    const order = 2 * v.index + 2;
    if (isAfter(v.stamp, order, after)) out.push(overlayActivity(store, v, order));
  }
  return out;
}

function overlayActivity(store: ObjectStore, v: RecordVersion, order: number): Activity {
  const fields = store.fields(v);
  const base = { id: OVERLAY_ID_BASE + v.seq, leadId: leadId(v.index), at: v.stamp, order };
  if (v.deleted) {
    const name = [fields["firstName"], fields["lastName"]].filter((x) => typeof x === "string").join(" ");
    return { ...base, activityTypeId: activityTypes.deleteLead, primaryAttributeValue: name };
  }
  if (v.index >= store.def.count && v.createdAt === v.stamp) {
    return { ...base, activityTypeId: activityTypes.newLead, fields: [] };
  }
  return {
    ...base,
    activityTypeId: activityTypes.changeDataValue,
    fields: diff(store.def.generate(v.index), fields),
  };
}

function diff(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [name, value] of Object.entries(after)) {
    const field = leadField(name);
    if (!field || name === "id" || before[name] === value) continue;
    const text = (x: unknown) => (x === null || x === undefined ? null : String(x));
    out.push({ id: field.id, name, newValue: text(value), oldValue: text(before[name]) });
  }
  return out;
}
