import type { ObjectDef, TruthLinks } from "../core/object-def.ts";
import { hash32, pick, unit } from "../core/rng.ts";
import { NUMERIC_ID_BASE } from "../population/ids.ts";
import type { ChildMap, Population } from "../population/population.ts";

/** Tickets per Zendesk user in the generated history. */
export const ticketsPerUser = 2;

const SUBJECTS = [
  "Order arrived damaged",
  "Cannot log in to my account",
  "Refund not received",
  "How do I change my plan?",
  "Invoice shows the wrong address",
  "Feature request: dark mode",
  "App crashes when uploading",
  "Shipping is taking too long",
] as const;
const STATUSES = ["new", "open", "pending", "hold", "solved", "closed"] as const;
const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
const TYPES = ["question", "incident", "problem", "task"] as const;

const numericId = (base: number) => ({
  idOf: (i: number) => String(base + i),
  indexOf(id: string) {
    const n = Number(id);
    return Number.isInteger(n) && n >= base ? n - base : undefined;
  },
});

/** The Zendesk user id of population member `k`. */
export function zendeskUserId(k: number): number {
  return NUMERIC_ID_BASE.zendeskUser + k;
}

/** End users: one per population member of the Zendesk source. Timestamps are added when rendering. */
export function usersDef(pop: Population): ObjectDef {
  const seed = pop.seed;
  return {
    vendor: "zendesk",
    name: "users",
    count: pop.count("zendesk"),
    ...numericId(NUMERIC_ID_BASE.zendeskUser),
    generate(k) {
      const p = pop.personOf("zendesk", k);
      const v = pop.view("zendesk", p);
      return {
        id: zendeskUserId(k),
        name: `${v.firstName} ${v.lastName}`,
        email: v.email,
        phone: v.phone,
        external_id: unit(seed, k, 61) < 0.3 ? `ext-${pop.personId(p)}` : null,
        time_zone: "Eastern Time (US & Canada)",
        iana_time_zone: "America/New_York",
        locale: "en-US",
        locale_id: 1,
        role: "end-user",
        verified: unit(seed, k, 62) < 0.8,
        tags: [],
        notes: "",
        details: "",
        user_fields: {},
      };
    },
    truth(k, fields): TruthLinks {
      const p = pop.personOf("zendesk", k);
      const profileKey = { key: "_zendeskUserId", value: String(fields.id ?? zendeskUserId(k)) };
      const keys = [profileKey];
      if (typeof fields.external_id === "string")
        keys.push({ key: "_zendeskExternalId", value: fields.external_id });
      return {
        personId: pop.personId(p),
        companyId: pop.companyId(pop.person(p).companyIndex),
        profileKey,
        keys,
      };
    },
    change(k, n) {
      return unit(seed, k, n, 63) < 0.5
        ? { tags: [pick(["vip", "newsletter", "beta", "churn-risk"], seed, k, n)] }
        : { notes: `Updated note ${hash32(seed, k, n) % 1000}` };
    },
  };
}

/** Tickets spread over the Zendesk users; `requester_id` links each to its user. */
export function ticketsDef(pop: Population, requesters: ChildMap): ObjectDef {
  const seed = pop.seed;
  const requesterOf = (i: number, fields?: Readonly<Record<string, unknown>>) =>
    typeof fields?.requester_id === "number" ? fields.requester_id : zendeskUserId(requesters.parentOf(i));
  return {
    vendor: "zendesk",
    name: "tickets",
    count: requesters.count,
    ...numericId(NUMERIC_ID_BASE.zendeskTicket),
    generate(i) {
      const subject = pick(SUBJECTS, seed, i, 71);
      const requester = requesterOf(i);
      return {
        id: NUMERIC_ID_BASE.zendeskTicket + i,
        external_id: null,
        via: { channel: "web", source: { from: {}, to: {}, rel: null } },
        type: pick(TYPES, seed, i, 72),
        subject,
        raw_subject: subject,
        description: `${subject}. Please help.`,
        priority: pick(PRIORITIES, seed, i, 73),
        status: pick(STATUSES, seed, i, 74),
        requester_id: requester,
        submitter_id: requester,
        assignee_id: null,
        organization_id: null,
        group_id: null,
        tags: [],
        custom_fields: [],
      };
    },
    truth(i, fields): TruthLinks {
      const requester = requesterOf(i, fields);
      const p = pop.personOf("zendesk", requester - NUMERIC_ID_BASE.zendeskUser);
      const profileKey = { key: "_zendeskUserId", value: String(requester) };
      return {
        personId: pop.personId(p),
        companyId: pop.companyId(pop.person(p).companyIndex),
        profileKey,
        keys: [{ key: "_zendeskTicketId", value: String(NUMERIC_ID_BASE.zendeskTicket + i) }, profileKey],
      };
    },
    change(i, n, fields) {
      const at = STATUSES.indexOf(fields.status as (typeof STATUSES)[number]);
      return {
        status: STATUSES[Math.min(STATUSES.length - 1, Math.max(0, at) + 1)],
        priority: pick(PRIORITIES, seed, i, n),
      };
    },
  };
}
