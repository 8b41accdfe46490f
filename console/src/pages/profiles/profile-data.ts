import {
  BatchGetProfileCommand,
  GetDomainCommand,
  GetSimilarProfilesCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  type Profile,
  type ProfileHistoryRecord,
} from "@aws-sdk/client-customer-profiles";
import type { Clients } from "../../aws.ts";
import {
  type DomainObjectItem,
  type Explanation,
  explainProfile,
  listDomainObjects,
} from "../../extension-api.ts";
import type { Session } from "../../session.ts";
import { objectTypeNames } from "./object-type-names.ts";

/** One object of the profile, from any source. */
export interface ObjectRow {
  id: string;
  objectTypeName: string;
  key: string;
  /** The source record as stored (JSON text). */
  record: string;
  /** How the object found this profile (ExplainProfile). */
  joinedBy: string;
}

/** One field of the unified profile and the object(s) it came from. */
export interface FieldRow {
  field: string;
  value: string;
  source: string;
}

export interface ProfileData {
  profile: Profile;
  fields: FieldRow[];
  objects: ObjectRow[];
  explanation: Explanation;
}

const NESTED = new Set(["Address", "ShippingAddress", "MailingAddress", "BillingAddress", "Attributes"]);

/** A profile's fields as flat leaves, named as the API's field provenance names them ("Address.City"). */
export function leavesOf(p: Profile): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === "ProfileId" || k === "FoundByItems" || v === undefined || v === null || v === "") continue;
    if (NESTED.has(k) && typeof v === "object") {
      for (const [part, pv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof pv === "string" && pv !== "") out.push([`${k}.${part}`, pv]);
      }
    } else if (typeof v === "string") out.push([k, v]);
    else if (typeof v === "object") out.push([k, JSON.stringify(v)]);
  }
  return out;
}

/** Which object(s) set each field: those whose fed leaves hold the profile's value. */
export function provenance(p: Profile, objects: DomainObjectItem[]): FieldRow[] {
  return leavesOf(p).map(([field, value]) => {
    const from = objects.filter((o) => o.Fields[field] === value);
    const source =
      from.length > 0
        ? [...new Set(from.map((o) => `${o.ObjectTypeName} ${o.ProfileObjectUniqueKey}`))].join(", ")
        : "Set by hand (CreateProfile / UpdateProfile)";
    return { field, value, source };
  });
}

/** Every object of one type on the profile (all pages of ListProfileObjects, up to 1,000). */
async function objectsOfType(c: Clients, domain: string, profileId: string, type: string) {
  const out: { ObjectTypeName?: string; ProfileObjectUniqueKey?: string; Object?: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListProfileObjectsCommand({
        DomainName: domain,
        ProfileId: profileId,
        ObjectTypeName: type,
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    out.push(...(page.Items ?? []));
    NextToken = page.NextToken;
  } while (NextToken && out.length < 1000);
  return out;
}

/** The unified profile, where each field came from, and every object from every source. */
export async function loadProfile(
  c: Clients,
  session: Session,
  domain: string,
  profileId: string,
): Promise<ProfileData> {
  const got = await c.profiles.send(
    new BatchGetProfileCommand({ DomainName: domain, ProfileIds: [profileId] }),
  );
  const profile = got.Profiles?.[0];
  if (!profile) {
    const e = new Error(got.Errors?.[0]?.Message ?? `Profile ${profileId} was not found in domain ${domain}`);
    e.name = "ResourceNotFoundException";
    throw e;
  }
  const [types, fed, explanation] = await Promise.all([
    objectTypeNames(c, domain),
    listDomainObjects(session, domain, { profileId }, 1000),
    explainProfile(session, domain, profileId),
  ]);
  const joined = new Map(
    explanation.Objects.map((o) => [
      `${o.ObjectTypeName}/${o.ProfileObjectUniqueKey}`,
      o.MatchedBy
        ? `${o.MatchedBy.KeyName} = ${o.MatchedBy.Value}`
        : o.OriginalProfileId === profileId
          ? "created this profile"
          : `created profile ${o.OriginalProfileId}, merged in`,
    ]),
  );
  const perType = await Promise.all(types.map((t) => objectsOfType(c, domain, profileId, t)));
  const objects = perType.flat().map((o): ObjectRow => {
    const id = `${o.ObjectTypeName}/${o.ProfileObjectUniqueKey}`;
    return {
      id,
      objectTypeName: o.ObjectTypeName ?? "-",
      key: o.ProfileObjectUniqueKey ?? "-",
      record: o.Object ?? "",
      joinedBy: joined.get(id) ?? "-",
    };
  });
  return { profile, fields: provenance(profile, fed.items), objects, explanation };
}

/** The profile's history, newest first (all pages, up to 1,000). */
export async function loadHistory(
  c: Clients,
  domain: string,
  profileId: string,
): Promise<ProfileHistoryRecord[]> {
  const out: ProfileHistoryRecord[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListProfileHistoryRecordsCommand({
        DomainName: domain,
        ProfileId: profileId,
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    out.push(...(page.ProfileHistoryRecords ?? []));
    NextToken = page.NextToken;
  } while (NextToken && out.length < 1000);
  return out;
}

/** A profile this one may be the same person as. */
export interface MatchRow {
  profileId: string;
  matchType: string;
  matchId: string;
  level: string;
}

/** The profiles matching links to this one, where the domain matches (rule-based or ML); undefined when it does not. */
export async function loadMatches(
  c: Clients,
  domain: string,
  profileId: string,
): Promise<MatchRow[] | undefined> {
  const d = await c.profiles.send(new GetDomainCommand({ DomainName: domain }));
  const kinds: ("RULE_BASED_MATCHING" | "ML_BASED_MATCHING")[] = [];
  if (d.RuleBasedMatching?.Enabled) kinds.push("RULE_BASED_MATCHING");
  if (d.Matching?.Enabled) kinds.push("ML_BASED_MATCHING");
  if (kinds.length === 0) return undefined;
  const rows: MatchRow[] = [];
  for (const MatchType of kinds) {
    const out = await c.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: domain,
        MatchType,
        SearchKey: "_profileId",
        SearchValue: profileId,
      }),
    );
    for (const id of out.ProfileIds ?? []) {
      if (id === profileId) continue;
      rows.push({
        profileId: id,
        matchType: MatchType === "RULE_BASED_MATCHING" ? "Rule-based" : "Machine learning",
        matchId: out.MatchId ?? "-",
        level:
          out.RuleLevel !== undefined
            ? `Rule ${out.RuleLevel}`
            : out.ConfidenceScore !== undefined
              ? `Confidence ${out.ConfidenceScore.toFixed(3)}`
              : "-",
      });
    }
  }
  return rows;
}
