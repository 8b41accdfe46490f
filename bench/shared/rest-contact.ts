/** Contact i's Salesforce Id. */
export const contactId = (i: number): string => `003${i.toString(36).padStart(12, "0")}`;

/** Contact i as Salesforce's REST API returns it; 1 in 50 shares an account with its neighbours. */
export function restContact(i: number): Record<string, unknown> {
  return {
    Id: contactId(i),
    AccountId: `001${Math.floor(i / 50)
      .toString(36)
      .padStart(12, "0")}`,
    FirstName: `First${i % 997}`,
    LastName: `Last${i}`,
    Email: `person${i}@example.com`,
    Phone: `+1 415 ${String(5550000 + (i % 9999)).replace(/(\d{3})(\d{4})/, "$1 $2")}`,
    MailingStreet: `${i} Market St`,
    MailingCity: "San Francisco",
    MailingState: "CA",
    MailingPostalCode: "94105",
    MailingCountry: "US",
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
  };
}
