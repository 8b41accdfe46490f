import {
  CreateDomainCommand,
  type CustomerProfilesClient,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";

/** The object type the contact benches ingest into (AWS's Salesforce-Contact template). */
export const CONTACT_TYPE = "Salesforce-Contact";

/** Creates `domain` and, in it, the Salesforce-Contact object type from its template, through the SDK. */
export async function createContactDomain(sdk: CustomerProfilesClient, domain: string): Promise<void> {
  await sdk.send(new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 365 }));
  await sdk.send(
    new PutProfileObjectTypeCommand({
      DomainName: domain,
      ObjectTypeName: CONTACT_TYPE,
      TemplateId: CONTACT_TYPE,
      Description: "Salesforce contacts",
      ExpirationDays: 365,
    }),
  );
}
