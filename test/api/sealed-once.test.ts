import { createCipheriv, randomBytes } from "node:crypto";
import {
  GetProfileHistoryRecordCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
} from "@aws-sdk/client-customer-profiles";
import { DecryptCommand } from "@aws-sdk/client-kms";
import { beforeAll, describe, expect, it } from "vitest";
import type { Json } from "../../src/db/json-column.ts";
import { deriveKey } from "../../src/security/derived-key.ts";
import { kmsTestServer } from "../helpers/kms-test-server.ts";
import { crmAndHelpdesk, profilesOf, putObject } from "../helpers/matching-sources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";

/**
 * What an encrypted domain seals once (issue 16, the cost of encryption): a profile created from one
 * object stores its object's sealed fields (one value bound to the kind "leaves", `pfe3.`). Everything
 * else stays sealed; fields sealed by the previous release (`pfe2.`, bound to their column) still open
 * in their column and nowhere else, and nothing is accepted in the wrong place or domain.
 */
describeEachDialect("values sealed once in an encrypted domain", (dialect) => {
  const t = kmsTestServer(dialect);
  const db = () => t.server.database.db;

  const domain = async (DomainName: string) => {
    await t.createDomain(DomainName);
    await crmAndHelpdesk(t, DomainName, () => ({
      _mail: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    }));
  };
  /** One profile's rows, as a filter: the raw* reads see them as stored, as the database file holds them. */
  const ofProfile = (D: string, profileId: string) => {
    // Kysely drops a filter key whose value is undefined: an id that is missing must not widen the read
    // (or setProfile's update) to the whole domain.
    if (!D || !profileId) throw new Error(`ofProfile needs a domain and a profile id, not ${D}/${profileId}`);
    return { domain_name: D, profile_id: profileId };
  };
  const rawProfile = (D: string, profileId: string) =>
    db()
      .selectFrom("profiles")
      .select(["fields", "manual"])
      .where((eb) => eb.and(ofProfile(D, profileId)))
      .executeTakeFirstOrThrow();
  const rawObjects = (D: string, profileId: string) =>
    db()
      .selectFrom("profile_objects")
      .select(["object_key", "fields", "payload"])
      .where((eb) => eb.and(ofProfile(D, profileId)))
      .orderBy("object_key")
      .execute();
  const rawHistory = (D: string, profileId: string) =>
    db()
      .selectFrom("profile_history")
      .select(["record_id", "content", "action_type"])
      .where((eb) => eb.and(ofProfile(D, profileId)))
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

    it("keeps its history sealed: even field names say which fields a profile has", async () => {
      const [row] = await rawHistory(D, profileId);
      expect(row!.content).toMatch(/^pfe2\./);
      const [listed] = await history(D, profileId);
      const record = await t.profiles.send(
        new GetProfileHistoryRecordCommand({ DomainName: D, ProfileId: profileId, Id: listed!.Id! }),
      );
      expect(JSON.parse(record.Content!)).toMatchObject({
        ProfileCreated: true,
        ChangedFields: ["Attributes.crmId", "EmailAddress", "FirstName", "LastName"],
      });
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
      expect(rows).toHaveLength(2);
      for (const r of rows) expect(r.content).toMatch(/^pfe2\./);
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

  describe("a batch of several objects", () => {
    const D = "sealed-once-batch";
    beforeAll(async () => domain(D));
    const ingest = (objects: Record<string, string>[]) =>
      t.server.profiles.ingestor.ingestObjects(D, "crm", objects);

    it("a profile created from two objects of one batch gets fields derived from both, sealed on their own", async () => {
      const r = await ingest([
        { id: "c1", first: "Ana", last: "Berg", email: "ana.berg@example.com" },
        { id: "c2", email: "ana.berg@example.com", phone: "+1 415 555 0102", birth: "1990-02-03" },
      ]);
      expect(r.results.map((x) => x.status)).toEqual(["created", "matched"]);
      const profileId = r.results[0]!.profileId!;
      expect(r.results[1]!.profileId).toBe(profileId);
      const p = await rawProfile(D, profileId);
      const objects = await rawObjects(D, profileId);
      expect(objects).toHaveLength(2);
      for (const o of objects) expect(p.fields).not.toBe(o.fields);
      expect((await profilesOf(t, D, "_crmId", "c2"))[0]).toMatchObject({
        FirstName: "Ana",
        LastName: "Berg",
        PhoneNumber: "+1 415 555 0102",
        BirthDate: "1990-02-03",
      });
    });

    it("an object given twice in one batch: the profile stores the later version's sealed fields", async () => {
      const r = await ingest([
        { id: "c3", first: "Old", last: "Name", email: "c3@example.com" },
        { id: "c3", first: "New", last: "Name", email: "c3@example.com" },
      ]);
      const profileId = r.results[1]!.profileId!;
      const p = await rawProfile(D, profileId);
      const [o] = await rawObjects(D, profileId);
      expect(p.fields).toBe(o!.fields);
      expect((await profilesOf(t, D, "_crmId", "c3"))[0]?.FirstName).toBe("New");
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
    /** Writes `fields` (stored text, as someone with the database file could) into a profile's row. */
    const setProfile = (Dn: string, id: string, { fields }: { fields: string }) =>
      db()
        .updateTable("profiles")
        .set({ fields: fields as Json<"profiles.fields"> })
        .where((eb) => eb.and(ofProfile(Dn, id)))
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

    /** `text` sealed as the previous release sealed fields: `pfe2.`, AAD bound to the domain and `place`. */
    const sealedAsBefore = async (Dn: string, place: string, text: string) => {
      const row = await db()
        .selectFrom("domain_data_keys")
        .select("wrapped_key")
        .where("domain_name", "=", Dn)
        .executeTakeFirstOrThrow();
      const { Plaintext } = await t.kms.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(row.wrapped_key, "base64"),
          EncryptionContext: { "aws:profile:domain": Dn },
        }),
      );
      const key = deriveKey(Buffer.from(Plaintext!), `domain/${Dn}/data`);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(`profileflow/${Dn}/${place}`, "utf8"));
      const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return `pfe2.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    };

    it("fields sealed by the previous release (pfe2., bound to their column) still open there, and not in the other column", async () => {
      const mine = await rawProfile(D, profileId);
      const fields = JSON.stringify({
        FirstName: "Bodil",
        LastName: "Ek",
        EmailAddress: "bo.ek@example.com",
      });
      await setProfile(D, profileId, { fields: await sealedAsBefore(D, "profiles.fields", fields) });
      expect((await profilesOf(t, D, "_crmId", "c1"))[0]).toMatchObject({
        FirstName: "Bodil",
        LastName: "Ek",
      });
      await setProfile(D, profileId, { fields: await sealedAsBefore(D, "profile_objects.fields", fields) });
      await failsToRead(D, "_crmId", "c1");
      await setProfile(D, profileId, { fields: mine.fields });
      expect((await profilesOf(t, D, "_crmId", "c1"))[0]?.FirstName).toBe("Bo");
    });
  });
});
