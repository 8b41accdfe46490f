import {
  BatchGetProfileCommand,
  GetProfileObjectTypeCommand,
  type Profile,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import type { Clients } from "../../aws.ts";
import { listDomainObjects } from "../../extension-api.ts";
import type { Session } from "../../session.ts";
import { objectTypeNames } from "./object-type-names.ts";

/** One profile as the results table shows it. */
export interface ProfileRow {
  profileId: string;
  name: string;
  email: string;
  phone: string;
  account: string;
  foundBy: string;
}

/** Keys every domain has (CreateProfile indexes them), then the ones its object types define. */
export const COMMON_KEYS = ["_email", "_phone", "_fullName", "_account", "_profileId"];

export function rowOf(p: Profile): ProfileRow {
  const name = [p.FirstName, p.MiddleName, p.LastName].filter(Boolean).join(" ") || p.BusinessName || "";
  return {
    profileId: p.ProfileId ?? "",
    name: name || "-",
    email: p.EmailAddress ?? p.PersonalEmailAddress ?? p.BusinessEmailAddress ?? "-",
    phone: p.PhoneNumber ?? p.MobilePhoneNumber ?? p.HomePhoneNumber ?? p.BusinessPhoneNumber ?? "-",
    account: p.AccountNumber ?? "-",
    foundBy:
      (p.FoundByItems ?? []).map((f) => `${f.KeyName}: ${(f.Values ?? []).join(", ")}`).join("; ") || "-",
  };
}

/** Every profile a key value finds (all pages of SearchProfiles, up to `max`). */
export async function searchProfiles(
  c: Clients,
  domain: string,
  keyName: string,
  value: string,
  max = 500,
): Promise<{ rows: ProfileRow[]; more: boolean }> {
  const rows: ProfileRow[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new SearchProfilesCommand({
        DomainName: domain,
        KeyName: keyName,
        Values: [value],
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    rows.push(...(page.Items ?? []).map(rowOf));
    NextToken = page.NextToken;
  } while (NextToken && rows.length < max);
  return { rows, more: NextToken !== undefined };
}

/** The profiles whose objects were stored most recently (ListDomainObjects, then BatchGetProfile). */
export async function recentProfiles(c: Clients, session: Session, domain: string): Promise<ProfileRow[]> {
  const { items } = await listDomainObjects(session, domain, {}, 300);
  const ids = [...new Set(items.map((o) => o.ProfileId))].slice(0, 100);
  const rows: ProfileRow[] = [];
  for (let i = 0; i < ids.length; i += 20) {
    const out = await c.profiles.send(
      new BatchGetProfileCommand({ DomainName: domain, ProfileIds: ids.slice(i, i + 20) }),
    );
    const byId = new Map((out.Profiles ?? []).map((p) => [p.ProfileId, p]));
    for (const id of ids.slice(i, i + 20)) {
      const p = byId.get(id);
      if (p) rows.push(rowOf(p));
    }
  }
  return rows;
}

/** The key names a search can use in this domain: the common ones, then those its object types define. */
export async function domainKeys(c: Clients, domain: string): Promise<string[]> {
  const names = await objectTypeNames(c, domain);
  const types = await Promise.all(
    names.map((ObjectTypeName) =>
      c.profiles.send(new GetProfileObjectTypeCommand({ DomainName: domain, ObjectTypeName })),
    ),
  );
  const keys = new Set(COMMON_KEYS);
  for (const t of types) for (const k of Object.keys(t.Keys ?? {})) keys.add(k);
  return [...keys];
}
