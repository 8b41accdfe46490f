/**
 * Synthetic person i as the matching benchmarks write them: a Salesforce Contact and a Zendesk user of the
 * same person share no key, only an email in another case and a phone in another format.
 */

/** Person i's phone number, 10 digits. */
export const personPhone = (i: number): string => String(4155000000 + i * 7);

/** Person i as a Salesforce Contact, its Phone written as `phone` gives it. */
export function personContact(i: number, phone: (digits: string) => string = (d) => d) {
  return {
    Id: `003${i.toString(36).padStart(12, "0")}`,
    FirstName: `First${i % 997}`,
    LastName: `Last${i}`,
    Email: `person${i}@example.com`,
    Phone: phone(personPhone(i)),
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
  };
}

/** Person i as a Zendesk user: the email padded and in another case, the phone as (415) 500-0000. */
export function personZendeskUser(i: number) {
  const p = personPhone(i);
  return {
    id: 900000000 + i,
    email: ` PERSON${i}@Example.com`,
    phone: `(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}`,
    updated_at: "2024-01-16T10:20:30Z",
  };
}
