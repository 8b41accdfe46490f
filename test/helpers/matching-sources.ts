import {
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import type { TestServer } from "./test-server.ts";

const field = (source: string, target: string, contentType?: string) => ({
  Source: `_source.${source}`,
  Target: target,
  ...(contentType ? { ContentType: contentType as "STRING" } : {}),
});

type Keys = Record<string, Array<{ StandardIdentifiers: Array<"PROFILE" | "UNIQUE">; FieldNames: string[] }>>;

/**
 * Two sources with no shared key — `crm` and `helpdesk`, each keyed by its own `id` — so only matching
 * can join their records; `extraKeys(name)` adds keys to each type.
 */
export async function crmAndHelpdesk(
  t: TestServer,
  domain: string,
  extraKeys: (name: string) => Keys = () => ({}),
): Promise<void> {
  for (const name of ["crm", "helpdesk"]) {
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: domain,
        ObjectTypeName: name,
        Description: name,
        AllowProfileCreation: true,
        Fields: {
          id: field("id", `_profile.Attributes.${name}Id`),
          first: field("first", "_profile.FirstName", "NAME"),
          last: field("last", "_profile.LastName", "NAME"),
          email: field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
          phone: field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
          birth: field("birth", "_profile.BirthDate"),
        },
        Keys: {
          [`_${name}Id`]: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["id"] }],
          ...extraKeys(name),
        },
      }),
    );
  }
}

/** PutProfileObject of one JSON object. */
export const putObject = (t: TestServer, domain: string, type: string, o: Record<string, string>) =>
  t.profiles.send(
    new PutProfileObjectCommand({ DomainName: domain, ObjectTypeName: type, Object: JSON.stringify(o) }),
  );

/** The profiles SearchProfiles finds for one key value. */
export const profilesOf = async (t: TestServer, domain: string, key: string, value: string) =>
  (await t.profiles.send(new SearchProfilesCommand({ DomainName: domain, KeyName: key, Values: [value] })))
    .Items ?? [];
