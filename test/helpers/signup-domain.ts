import { CreateDomainCommand, PutProfileObjectTypeCommand } from "@aws-sdk/client-customer-profiles";
import type { DialectName } from "../../src/db/dialect.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

/**
 * A served instance with one domain and a `Signup` object type: a UNIQUE `_signupId` key (`id`), a
 * PROFILE `_email` key (`email`) and a first name — what the text-normalization suites ingest.
 */
export async function startSignupServer(dialect: DialectName, DomainName: string): Promise<TestServer> {
  const t = await startTestServer(dialect);
  await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
  await t.profiles.send(
    new PutProfileObjectTypeCommand({
      DomainName,
      ObjectTypeName: "Signup",
      Description: "web signups",
      AllowProfileCreation: true,
      Fields: {
        id: { Source: "_source.id", Target: "_profile.Attributes.signupId" },
        email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
        name: { Source: "_source.name", Target: "_profile.FirstName", ContentType: "NAME" },
      },
      Keys: {
        _signupId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
        _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
      },
    }),
  );
  return t;
}
