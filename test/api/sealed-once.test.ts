import {
  CreateDomainCommand,
  GetProfileHistoryRecordCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * What an encrypted domain seals once (issue 16, the cost of encryption): a profile created from one
 * object stores its object's sealed fields (one value bound to the kind "leaves"), and history that
 * names no value is kept as its JSON. Everything else stays sealed, and nothing is accepted in the wrong
 * place or in clear where a value could hide.
 */
describeEachDialect("values sealed once in an encrypted domain", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());
  const db = () => t.server.database.db;

  const domain = async (DomainName: string) => {
    await t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 30 }));
    await crmAndHelpdesk(t, DomainName, () => ({
      _mail: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    }));
  };
  const rawProfile = (D: string, profileId: string) =>
    db()
      .selectFrom("profiles")
      .select(["fields", "manual"])
      .where("domain_name", "=", D)
      .where("profile_id", "=", profileId)
      .executeTakeFirstOrThrow();
  const rawObjects = (D: string, profileId: string) =>
    db()
      .selectFrom("profile_objects")
      .select(["object_key", "fields", "payload"])
      .where("domain_name", "=", D)
      .where("profile_id", "=", profileId)
      .orderBy("object_key")
      .execute();
  const rawHistory = (D: string, profileId: string) =>
    db()
      .selectFrom("profile_history")
      .select(["record_id", "content", "action_type"])
      .where("domain_name", "=", D)
      .where("profile_id", "=", profileId)
      .execute();
  const history = async (DomainName: string, ProfileId: string) =>
    (await t.profiles.send(new ListProfileHistoryRecordsCommand({ DomainName, ProfileId })))
      .ProfileHistoryRecords ?? [];

  describe("a profile created from one object", () => {
    const D = "sealed-once";
    let profileId: string;
    beforeAll(async () => {
      await domain(D);
      await putObject(t, D, "crm", { id: "c1", first: "Ana", last: "Quist", email: "ana.quist@example.com" });
      profileId = (await profilesOf(t, D, "_crmId", "c1"))[0]!.ProfileId!;
    });

    it("stores its object's sealed fields as its own: the same text, bound to the kind, and it reads back", async () => {
      const p = await rawProfile(D, profileId);
      const [o] = await rawObjects(D, profileId);
      expect(p.fields).toMatch(/^pfe3\./);
      expect(p.fields).toBe(o!.fields);
      expect(p.manual).toMatch(/^pfe2\./);
      expect(o!.payload).toMatch(/^pfe2\./);
      expect(p.fields).not.toContain("ana");
      expect((await profilesOf(t, D, "_crmId", "c1"))[0]).toMatchObject({
        FirstName: "Ana",
        LastName: "Quist",
        EmailAddress: "ana.quist@example.com",
      });
    });

    it("keeps its creation's history, which names no value, as JSON; ListProfileHistoryRecords and GetProfileHistoryRecord answer", async () => {
      const [row] = await rawHistory(D, profileId);
      const stored = JSON.parse(row!.content) as Record<string, unknown>;
      expect(stored).toEqual({
        ProfileCreated: true,
        ChangedFields: ["Attributes.crmId", "EmailAddress", "FirstName", "LastName"],
      });
      const [listed] = await history(D, profileId);
      const record = await t.profiles.send(
        new GetProfileHistoryRecordCommand({ DomainName: D, ProfileId: profileId, Id: listed!.Id! }),
      );
      expect(JSON.parse(record.Content!)).toMatchObject(stored);
    });

    it("a second object re-derives the fields: sealed anew, no longer either object's text; its history names the matched value, sealed", async () => {
      await putObject(t, D, "helpdesk", {
        id: "h1",
        email: "ANA.QUIST@example.com",
        phone: "+1 415 555 0101",
      });
      expect((await profilesOf(t, D, "_helpdeskId", "h1"))[0]?.ProfileId).toBe(profileId);
      const p = await rawProfile(D, profileId);
      const objects = await rawObjects(D, profileId);
      expect(objects).toHaveLength(2);
      expect(p.fields).toMatch(/^pfe3\./);
      for (const o of objects) expect(p.fields).not.toBe(o.fields);
      const rows = await rawHistory(D, profileId);
      const matched = rows.filter((r) => !r.content.startsWith("{"));
      expect(matched).toHaveLength(1);
      expect(matched[0]!.content).toMatch(/^pfe2\./);
      expect(rows.map((r) => r.content).join("\n")).not.toContain("ana.quist");
      const contents = await Promise.all(
        (await history(D, profileId)).map(async (h) =>
          JSON.parse(
            (
              await t.profiles.send(
                new GetProfileHistoryRecordCommand({ DomainName: D, ProfileId: profileId, Id: h.Id! }),
              )
            ).Content!,
          ),
        ),
      );
      expect(contents).toContainEqual(
        expect.objectContaining({ MatchedBy: { KeyName: "_mail", Value: "ana.quist@example.com" } }),
      );
      expect((await profilesOf(t, D, "_crmId", "c1"))[0]).toMatchObject({
        FirstName: "Ana",
        PhoneNumber: "+1 415 555 0101",
      });
    });
  });

  describe("refusals", () => {
    const D = "sealed-once-refusals";
    const OTHER = "sealed-once-other";
    let profileId: string;
    let otherId: string;
    beforeAll(async () => {
      await domain(D);
      await domain(OTHER);
      await putObject(t, D, "crm", { id: "c1", first: "Bo", last: "Ek", email: "bo.ek@example.com" });
      await putObject(t, OTHER, "crm", { id: "c9", first: "Cy", last: "Ng", email: "cy.ng@example.com" });
      profileId = (await profilesOf(t, D, "_crmId", "c1"))[0]!.ProfileId!;
      otherId = (await profilesOf(t, OTHER, "_crmId", "c9"))[0]!.ProfileId!;
    });
    const setProfile = (Dn: string, id: string, set: { fields?: string; manual?: string }) =>
      db()
        .updateTable("profiles")
        .set(set)
        .where("domain_name", "=", Dn)
        .where("profile_id", "=", id)
        .execute();
    const failsToRead = async (Dn: string, key: string, value: string) => {
      const e = await profilesOf(t, Dn, key, value).then(
        () => undefined,
        (x: unknown) => x as { $metadata?: { httpStatusCode?: number } },
      );
      expect(e?.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
    };

    it("fields sealed for the kind do not open as an object's payload (a place of no kind)", async () => {
      const p = await rawProfile(D, profileId);
      const [o] = await rawObjects(D, profileId);
      const setPayload = (payload: string) =>
        db()
          .updateTable("profile_objects")
          .set({ payload })
          .where("domain_name", "=", D)
          .where("object_key", "=", o!.object_key)
          .execute();
      const list = () =>
        t.profiles.send(
          new ListProfileObjectsCommand({ DomainName: D, ObjectTypeName: "crm", ProfileId: profileId }),
        );
      await setPayload(p.fields);
      const e = await list().then(
        () => undefined,
        (x: unknown) => x as { $metadata?: { httpStatusCode?: number } },
      );
      expect(e?.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
      await setPayload(o!.payload);
      expect(JSON.parse((await list()).Items![0]!.Object!)).toMatchObject({ id: "c1", first: "Bo" });
    });

    it("fields sealed in another domain do not open here", async () => {
      const mine = await rawProfile(D, profileId);
      const theirs = await rawProfile(OTHER, otherId);
      await setProfile(D, profileId, { fields: theirs.fields });
      await failsToRead(D, "_crmId", "c1");
      await setProfile(D, profileId, { fields: mine.fields });
      expect((await profilesOf(t, D, "_crmId", "c1"))[0]?.FirstName).toBe("Bo");
    });

    it("history in clear that names a value is refused; names only are read", async () => {
      const [row] = await rawHistory(D, profileId);
      const planted = JSON.stringify({
        ProfileCreated: true,
        MatchedBy: { KeyName: "_mail", Value: "x@y.z" },
      });
      await db()
        .updateTable("profile_history")
        .set({ content: planted as never })
        .where("domain_name", "=", D)
        .where("record_id", "=", row!.record_id)
        .execute();
      const e = await t.profiles
        .send(new GetProfileHistoryRecordCommand({ DomainName: D, ProfileId: profileId, Id: row!.record_id }))
        .then(
          () => undefined,
          (x: unknown) => x as { $metadata?: { httpStatusCode?: number }; message?: string },
        );
      expect(e?.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
      await db()
        .updateTable("profile_history")
        .set({ content: row!.content as never })
        .where("domain_name", "=", D)
        .where("record_id", "=", row!.record_id)
        .execute();
      const ok = await t.profiles.send(
        new GetProfileHistoryRecordCommand({ DomainName: D, ProfileId: profileId, Id: row!.record_id }),
      );
      expect(JSON.parse(ok.Content!)).toMatchObject({ ProfileCreated: true });
    });
  });
});
