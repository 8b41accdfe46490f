import {
  CreateDomainCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { signedGet } from "../helpers/signed-get.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

interface Listed {
  Items: {
    ObjectTypeName: string;
    ProfileObjectUniqueKey: string;
    ProfileId: string;
    Fields: Record<string, string>;
    UpdatedAt: number;
  }[];
  NextToken?: string;
}

/** ListDomainObjects (an extension, no SDK command): a SigV4-signed GET with its query. */
function listObjects(t: TestServer, domain: string, query: Record<string, string>): Promise<Response> {
  return signedGet(t, `/domains/${domain}/objects`, query);
}

const contact = (id: string, email: string) =>
  JSON.stringify({
    Id: id,
    AccountId: "001ACME",
    FirstName: "Ada",
    LastName: id,
    Email: email,
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
  });
const zendeskUser = (id: number, email: string) =>
  JSON.stringify({
    id,
    name: "Ada Zendesk",
    email,
    phone: "+14155550134",
    updated_at: "2024-02-01T00:00:00Z",
  });

describeEachDialect("ListDomainObjects (extension) through the SDK", (dialect) => {
  let t: TestServer;
  const clock = new ManualClock();
  const DomainName = "objects-1";

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock });
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const put = async (ObjectTypeName: string, record: string) => {
      clock.advance(1000);
      await t.profiles.send(new PutProfileObjectCommand({ DomainName, ObjectTypeName, Object: record }));
    };
    await put("Salesforce-Contact", contact("003A", "ada@example.com"));
    await put("Salesforce-Contact", contact("003B", "bob@example.com"));
    await put("Zendesk-users", zendeskUser(42, "ada@example.com"));
  });
  afterAll(async () => t?.close());

  it("lists a domain's objects newest first with their profile and the fields each feeds, paginated", async () => {
    const first = await listObjects(t, DomainName, { "max-results": "2" });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as Listed;
    expect(page1.Items.map((i) => [i.ObjectTypeName, i.ProfileObjectUniqueKey])).toEqual([
      ["Zendesk-users", "42"],
      ["Salesforce-Contact", "003B"],
    ]);
    expect(page1.NextToken).toBeDefined();
    const page2 = (await (
      await listObjects(t, DomainName, { "max-results": "2", "next-token": page1.NextToken! })
    ).json()) as Listed;
    expect(page2.Items.map((i) => i.ProfileObjectUniqueKey)).toEqual(["003A"]);
    expect(page2.NextToken).toBeUndefined();
    const ada = page2.Items[0]!;
    expect(ada).not.toHaveProperty("Object");
    expect(ada.Fields).toMatchObject({ FirstName: "Ada", LastName: "003A" });
    // Each object names the profile it is on, as SearchProfiles finds it.
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_email", Values: ["bob@example.com"] }),
    );
    expect(page1.Items[1]!.ProfileId).toBe(found.Items?.[0]?.ProfileId);
    expect(ada.ProfileId).not.toBe(found.Items?.[0]?.ProfileId);
  });

  it("filters by object type and by profile", async () => {
    const byType = (await (
      await listObjects(t, DomainName, { "object-type-name": "Salesforce-Contact" })
    ).json()) as Listed;
    expect(byType.Items.map((i) => i.ProfileObjectUniqueKey)).toEqual(["003B", "003A"]);
    const adaId = byType.Items[1]!.ProfileId;
    const byProfile = (await (await listObjects(t, DomainName, { "profile-id": adaId })).json()) as Listed;
    expect(byProfile.Items.map((i) => i.ProfileObjectUniqueKey)).toEqual(["003A"]);
  });

  it("refuses a malformed profile id and an unknown domain with precise messages", async () => {
    const bad = await listObjects(t, DomainName, { "profile-id": "nope" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/ProfileId/);
    const missing = await listObjects(t, "no-such-domain", {});
    expect(missing.status).toBe(404);
  });
});
