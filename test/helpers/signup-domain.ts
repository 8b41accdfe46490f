import { CreateDomainCommand, PutProfileObjectTypeCommand } from "@aws-sdk/client-customer-profiles";
import type { ConfigInput } from "../../src/config/config.ts";
import type { DialectName } from "../../src/db/dialect.ts";
import type { SinkRecord } from "../../src/flows/record-sink.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

/**
 * A served instance with one domain and a `Signup` object type: a UNIQUE `_signupId` key (`id`), a
 * PROFILE `_email` key (`email`) and a first name — what the text-normalization suites ingest.
 */
export async function startSignupServer(
  dialect: DialectName,
  DomainName: string,
  config?: Partial<ConfigInput>,
): Promise<TestServer> {
  const t = await startTestServer(dialect, config ? { config } : {});
  await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
  await t.profiles.send(new PutProfileObjectTypeCommand(signupType(DomainName)));
  return t;
}

/** The `Signup` object type startSignupServer puts (for a domain made again, or a type changed from it). */
export function signupType(DomainName: string) {
  return {
    DomainName,
    ObjectTypeName: "Signup",
    Description: "web signups",
    AllowProfileCreation: true,
    Fields: {
      id: { Source: "_source.id", Target: "_profile.Attributes.signupId" },
      email: {
        Source: "_source.email",
        Target: "_profile.EmailAddress",
        ContentType: "EMAIL_ADDRESS" as const,
      },
      name: { Source: "_source.name", Target: "_profile.FirstName", ContentType: "NAME" as const },
    },
    Keys: {
      _signupId: [{ StandardIdentifiers: ["UNIQUE" as const], FieldNames: ["id"] }],
      _email: [{ StandardIdentifiers: ["PROFILE" as const], FieldNames: ["email"] }],
    } as Record<string, { StandardIdentifiers: ("UNIQUE" | "PROFILE")[]; FieldNames: string[] }[]>,
  };
}

/** `count` Signup records for the profiles sink, `s<from>`… with their own email and name. */
export function signupRecords(from: number, count: number): SinkRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      id: `s${i}`,
      sourceTimestamp: 1_700_000_000_000 + i,
      data: { id: `s${i}`, email: `p${i}@example.com`, name: `Person${i}` },
    };
  });
}
