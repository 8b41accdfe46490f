import {
  CreateDomainCommand,
  DeleteDomainCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * SearchProfiles and PutProfileObject skip the edge's read of a domain seen to exist within the last
 * second (their service reads it again): a domain deleted right after is still ResourceNotFound.
 */
describeEachDialect("SearchProfiles and PutProfileObject right after DeleteDomain", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => s?.close());

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (x: unknown) => x as { name?: string; message?: string },
    );

  it("a domain searched and put into, then deleted, is ResourceNotFound at once for both", async () => {
    const DomainName = "recheck-deleted";
    await s.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const object = JSON.stringify({ Id: "003A", FirstName: "Ada", Email: "ada@example.com" });
    const put = () =>
      s.profiles.send(
        new PutProfileObjectCommand({ DomainName, ObjectTypeName: "Salesforce-Contact", Object: object }),
      );
    const search = () =>
      s.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003A"] }),
      );
    await put();
    expect((await search()).Items).toHaveLength(1);
    await s.profiles.send(new DeleteDomainCommand({ DomainName }));
    const searched = await failure(search());
    expect(searched?.name, searched?.message).toBe("ResourceNotFoundException");
    expect(searched?.message).toBe(`Domain ${DomainName} does not exist`);
    const putted = await failure(put());
    expect(putted?.name, putted?.message).toBe("ResourceNotFoundException");
    expect(putted?.message).toBe(`Domain ${DomainName} does not exist`);
  });
});
