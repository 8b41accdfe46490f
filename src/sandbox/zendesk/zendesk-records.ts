import type { ObjectStore, RecordVersion } from "../core/object-store.ts";
import { isAfter, type StreamPosition } from "./export-cursor.ts";
import { byStream, type Stamped } from "./incremental-export.ts";

/** Zendesk's timestamp format: ISO-8601 UTC without milliseconds. */
export function zendeskTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** A store version in export order: its numeric id and change time in seconds. */
export interface StreamItem extends Stamped {
  v: RecordVersion;
}

/**
 * The versions (deleted ones included) visible at `now` from second `from.ts` up to `horizonS`, in (second,
 * id) order. Collection stops once more than `atLeast` items lie after `from` and the current second is
 * complete, so a page never needs the whole history in memory.
 */
export function streamItems(
  store: ObjectStore,
  from: StreamPosition,
  horizonS: number,
  now: number,
  atLeast: number,
): StreamItem[] {
  const items: StreamItem[] = [];
  let after = 0;
  let lastSecond = Number.NaN;
  for (const v of store.scan({
    from: from.ts * 1000,
    to: (horizonS + 1) * 1000,
    now,
    includeDeleted: true,
  })) {
    const ts = Math.floor(v.stamp / 1000);
    if (after > atLeast && ts !== lastSecond) break;
    const id = Number(store.def.idOf(v.index));
    items.push({ id, ts, v });
    if (isAfter(ts, id, from)) after++;
    lastSecond = ts;
  }
  return items.sort(byStream);
}

/** A user as Zendesk returns it; deleted users show as inactive. */
export function renderUser(store: ObjectStore, v: RecordVersion, baseUrl: string): Record<string, unknown> {
  const f = store.fields(v);
  return {
    id: f.id,
    url: `${baseUrl}/api/v2/users/${String(f.id)}.json`,
    name: f.name,
    email: f.email ?? null,
    created_at: zendeskTime(v.createdAt),
    updated_at: zendeskTime(v.stamp),
    time_zone: f.time_zone,
    iana_time_zone: f.iana_time_zone,
    phone: f.phone ?? null,
    shared_phone_number: null,
    photo: null,
    locale_id: f.locale_id,
    locale: f.locale,
    organization_id: null,
    role: f.role,
    verified: f.verified,
    external_id: f.external_id ?? null,
    tags: f.tags,
    alias: null,
    active: !v.deleted,
    shared: false,
    shared_agent: false,
    last_login_at: null,
    two_factor_auth_enabled: null,
    signature: null,
    details: f.details,
    notes: f.notes,
    role_type: null,
    custom_role_id: null,
    moderator: false,
    ticket_restriction: "requested",
    only_private_comments: false,
    restricted_agent: true,
    suspended: false,
    default_group_id: null,
    report_csv: false,
    user_fields: f.user_fields,
  };
}

/** A ticket as the incremental export returns it; deleted tickets carry `status: "deleted"`. */
export function renderTicket(store: ObjectStore, v: RecordVersion, baseUrl: string): Record<string, unknown> {
  const f = store.fields(v);
  return {
    url: `${baseUrl}/api/v2/tickets/${String(f.id)}.json`,
    id: f.id,
    external_id: f.external_id ?? null,
    via: f.via,
    created_at: zendeskTime(v.createdAt),
    updated_at: zendeskTime(v.stamp),
    generated_timestamp: Math.floor(v.stamp / 1000),
    type: f.type,
    subject: f.subject,
    raw_subject: f.raw_subject,
    description: f.description,
    priority: f.priority,
    status: v.deleted ? "deleted" : f.status,
    recipient: null,
    requester_id: f.requester_id,
    submitter_id: f.submitter_id,
    assignee_id: f.assignee_id ?? null,
    organization_id: f.organization_id ?? null,
    group_id: f.group_id ?? null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    forum_topic_id: null,
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: f.tags,
    custom_fields: f.custom_fields,
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    custom_status_id: 1,
    fields: f.custom_fields,
    followup_ids: [],
    ticket_form_id: null,
    brand_id: 1,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}
