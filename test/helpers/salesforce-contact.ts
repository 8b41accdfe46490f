/** A Salesforce Contact as its REST API returns it, as PutProfileObject's `Object` text; `o` overrides fields. */
export const salesforceContact = (id: string, o: Record<string, unknown> = {}): string =>
  JSON.stringify({
    Id: id,
    AccountId: "001ACME",
    FirstName: "Ada",
    LastName: "Lovelace",
    Email: `${id.toLowerCase()}@example.com`,
    Phone: "(415) 555-0134",
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
    ...o,
  });
