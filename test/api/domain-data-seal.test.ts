import {
  CreateDomainCommand,
  ListProfileObjectsCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const contact = (id: string) =>
  JSON.stringify({
    Id: id,
    FirstName: "Ada",
    LastName: "Lovelace",
    Email: `${id.toLowerCase()}@example.com`,
  });

/** How a domain's values are sealed under its data key (src/security/kms/domain-keys.ts). */
describeEachDialect("a domain's sealed values", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const payloads = async (DomainName: string) =>
    (
      await t.server.database.db
        .selectFrom("profile_objects")
        .select("payload")
        .where("domain_name", "=", DomainName)
        .execute()
    ).map((r) => r.payload);

  it("every value has its own random 96-bit IV (no per-box prefix and counter that could repeat under the data key)", async () => {
    const DomainName = "seal-iv";
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
    for (const id of ["001", "002", "003", "004"]) {
      await t.profiles.send(
        new PutProfileObjectCommand({
          DomainName,
          ObjectTypeName: "Salesforce-Contact",
          Object: contact(id),
        }),
      );
    }
    const ivs = (await payloads(DomainName)).map((p) => {
      expect(p).toMatch(/^pfe2\./);
      return Buffer.from(p.slice(5), "base64").subarray(0, 12);
    });
    expect(ivs).toHaveLength(4);
    // Each part of the IV is random: neither the first 8 bytes nor the last 4 repeat between values.
    expect(new Set(ivs.map((iv) => iv.subarray(0, 8).toString("hex"))).size).toBe(4);
    expect(new Set(ivs.map((iv) => iv.subarray(8).toString("hex"))).size).toBe(4);
  });

  it("a sealed value is bound to its domain and place, and a plain value is refused where a data key exists", async () => {
    const DomainName = "seal-bind";
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
    await t.profiles.send(
      new PutProfileObjectCommand({
        DomainName,
        ObjectTypeName: "Salesforce-Contact",
        Object: contact("010"),
      }),
    );
    const db = t.server.database.db;
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["010"] }),
    );
    const ProfileId = found.Items![0]!.ProfileId!;
    const list = () =>
      t.profiles.send(
        new ListProfileObjectsCommand({ DomainName, ProfileId, ObjectTypeName: "Salesforce-Contact" }),
      );
    expect((await list()).Items![0]!.Object).toBe(contact("010"));
    const [sealed] = await payloads(DomainName);
    // The object's payload copied into a dead letter of the same domain (same data key) does not open there.
    const letters = t.server.profiles.deadLetters;
    await letters.addIn(
      db,
      DomainName,
      [
        {
          objectTypeName: "Salesforce-Contact",
          objectKey: "x",
          data: { Id: "x" },
          reasonCode: "R",
          message: "m",
        },
      ],
      Date.now(),
    );
    await db
      .updateTable("profile_dead_letters")
      .set({ payload: sealed! })
      .where("domain_name", "=", DomainName)
      .execute();
    await expect(letters.list(db, DomainName, {}, { maxResults: 10 })).rejects.toThrow();
    // A plain value put in place of the sealed one is refused, not returned.
    await db
      .updateTable("profile_objects")
      .set({ payload: contact("999") })
      .where("domain_name", "=", DomainName)
      .execute();
    await failure(list());
    // The sealed value back in its place opens again.
    await db
      .updateTable("profile_objects")
      .set({ payload: sealed! })
      .where("domain_name", "=", DomainName)
      .execute();
    expect((await list()).Items![0]!.Object).toBe(contact("010"));
  });
});
