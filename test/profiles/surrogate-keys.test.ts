import { ListProfileObjectsCommand, SearchProfilesCommand } from "@aws-sdk/client-customer-profiles";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch } from "../../src/flows/record-sink.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

// A lone high surrogate in the UNIQUE key and a lone low one in the PROFILE key. Neither database keeps
// one (PostgreSQL gets U+FFFD, SQLite reads its stored bytes back as three U+FFFD), so before
// normalization the value read back never equalled the value written.
const signupId = "S-\ud800-1";
const email = "ada\udc00@example.com";
const record = { id: signupId, email, name: "Ada" };
// JSON text whose escapes decode to lone surrogates: what a hostile or broken client sends (an SDK
// would have replaced them while encoding UTF-8).
const escaped = (s: string) =>
  JSON.stringify(s).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

describeEachDialect("a key value with a lone surrogate is one key on every path", (dialect) => {
  let t: TestServer;
  const DomainName = "surrogates";

  beforeAll(async () => {
    t = await startSignupServer(dialect, DomainName);
  });
  afterAll(async () => t?.close());

  const count = async (table: "profiles" | "profile_objects") =>
    Number(
      (
        await t.server.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .where("domain_name", "=", DomainName)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const keyRows = (keyName: string) =>
    t.server.database.db
      .selectFrom("profile_keys")
      .select(["key_value", "profile_id", "origin"])
      .where("domain_name", "=", DomainName)
      .where("key_name", "=", keyName)
      .execute();

  const putByApi = () =>
    signedFetch(t.endpoint, {
      method: "PUT",
      path: `/domains/${DomainName}/profiles/objects`,
      credentials: t.credentials,
      body: `{"ObjectTypeName":"Signup","Object":${escaped(`{"id":${escaped(signupId)},"email":${escaped(email)},"name":"Ada"}`)}}`,
    });

  const putByFlow = async (data: Record<string, unknown>) => {
    const sink = profilesSink(t.server.profiles, { now: () => Date.now() });
    const batch = {
      flow: { definition: { flowName: "signups" } },
      executionId: "e1",
      replaySince: Date.now(),
      domainName: DomainName,
      objectTypeName: "Signup",
      records: [{ id: String(data["id"]), sourceTimestamp: 0, data }],
      deletions: [],
      rejected: [],
    } as unknown as SinkBatch;
    const db = t.server.database.db as Kysely<Database>;
    return db.transaction().execute((trx) => sink.writeBatch(trx, batch));
  };

  it("ingested through the API twice and through a flow twice: one profile, one object, one row per key", async () => {
    const first = await putByApi();
    expect(first.status).toBe(200);
    const uniqueKey = ((await first.json()) as { ProfileObjectUniqueKey: string }).ProfileObjectUniqueKey;
    expect(uniqueKey).toBe("S-\ufffd-1");
    expect((await putByApi()).status).toBe(200);
    expect((await putByFlow(record)).failed).toEqual([]);
    expect((await putByFlow(record)).failed).toEqual([]);

    expect(await count("profiles")).toBe(1);
    expect(await count("profile_objects")).toBe(1);
    const unique = await keyRows("_signupId");
    // Stored as the domain's blind index of the normalized value (U+FFFD for the lone surrogate).
    const boxes = await t.server.profiles.profiles.sealer.boxesIn(t.server.database.db, DomainName);
    expect(unique.map((r) => r.key_value)).toEqual([boxes.index("_signupId", "S-\ufffd-1")]);
    const emails = (await keyRows("_email")).filter((r) => r.origin === "object");
    expect(emails.map((r) => r.key_value)).toEqual([boxes.index("_email", "ada\ufffd@example.com")]);
  });

  it("any lone surrogate and U+FFFD itself are the same key (the normalized form)", async () => {
    expect((await putByFlow({ ...record, id: "S-\udbff-1" })).failed).toEqual([]);
    expect((await putByFlow({ ...record, id: "S-\ufffd-1" })).failed).toEqual([]);
    expect(await count("profiles")).toBe(1);
    expect(await count("profile_objects")).toBe(1);
    expect((await keyRows("_signupId")).length).toBe(1);
  });

  it("a search by the surrogate-bearing value finds the profile, whether the value arrives escaped or encoded", async () => {
    const [profile] = await t.server.database.db
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", DomainName)
      .execute();
    for (const [keyName, value] of [
      ["_signupId", signupId],
      ["_email", email],
    ] as const) {
      const raw = await signedFetch(t.endpoint, {
        method: "POST",
        path: `/domains/${DomainName}/profiles/search`,
        credentials: t.credentials,
        body: `{"KeyName":"${keyName}","Values":[${escaped(value)}]}`,
      });
      expect(raw.status).toBe(200);
      const items = ((await raw.json()) as { Items: { ProfileId: string }[] }).Items;
      expect(items.map((i) => i.ProfileId)).toEqual([profile!.profile_id]);
      // The SDK encodes the lone surrogate as U+FFFD on the wire: the same key.
      const sdk = await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: keyName, Values: [value] }),
      );
      expect(sdk.Items?.map((i) => i.ProfileId)).toEqual([profile!.profile_id]);
    }
  });

  it("PutProfileObject with a UNIQUE key of another lone surrogate replaces the same object", async () => {
    const res = await signedFetch(t.endpoint, {
      method: "PUT",
      path: `/domains/${DomainName}/profiles/objects`,
      credentials: t.credentials,
      body: JSON.stringify({
        ObjectTypeName: "Signup",
        Object: JSON.stringify({ id: "S-\ufffd-1", email: "ADA\ufffd@example.com", name: "Ada L" }),
      }),
    });
    expect(res.status).toBe(200);
    expect(await count("profiles")).toBe(1);
    expect(await count("profile_objects")).toBe(1);
    expect((await keyRows("_email")).filter((r) => r.origin === "object").length).toBe(1);
  });

  it("CreateProfile and UpdateProfile index the same key as objects and searches do", async () => {
    const send = (method: string, path: string, body: string) =>
      signedFetch(t.endpoint, {
        method,
        path: `/domains/${DomainName}${path}`,
        credentials: t.credentials,
        body,
      });
    const created = await send("POST", "/profiles", `{"EmailAddress":${escaped("grace\ud800@example.com")}}`);
    expect(created.status).toBe(200);
    const { ProfileId } = (await created.json()) as { ProfileId: string };
    // An object whose PROFILE key is the same email finds that profile instead of creating one.
    const before = await count("profiles");
    const put = await send(
      "PUT",
      "/profiles/objects",
      `{"ObjectTypeName":"Signup","Object":${escaped(`{"id":"S-2","email":${escaped("GRACE\udfff@example.com")}}`)}}`,
    );
    expect(put.status).toBe(200);
    expect(await count("profiles")).toBe(before);
    const boxes = await t.server.profiles.profiles.sealer.boxesIn(t.server.database.db, DomainName);
    const stored = boxes.index("_email", "grace\ufffd@example.com");
    const owners = (await keyRows("_email")).filter((r) => r.key_value === stored);
    expect(new Set(owners.map((r) => r.profile_id))).toEqual(new Set([ProfileId]));

    const updated = await send(
      "PUT",
      "/profiles",
      `{"ProfileId":"${ProfileId}","BusinessEmailAddress":${escaped("hopper\udc01@example.com")}}`,
    );
    expect(updated.status).toBe(200);
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_email", Values: ["hopper\udc02@example.com"] }),
    );
    expect(found.Items?.map((i) => i.ProfileId)).toEqual([ProfileId]);
  });

  it("DeleteProfileObject by the surrogate-bearing key removes the object and every key row it gave", async () => {
    const [object] = await t.server.database.db
      .selectFrom("profile_objects")
      .select(["profile_id", "object_key"])
      .where("domain_name", "=", DomainName)
      .where("object_key", "=", "S-\ufffd-1")
      .execute();
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${DomainName}/profiles/objects/delete`,
      credentials: t.credentials,
      body: `{"ProfileId":"${object!.profile_id}","ObjectTypeName":"Signup","ProfileObjectUniqueKey":${escaped(signupId)}}`,
    });
    expect(res.status).toBe(200);
    const left = await t.server.database.db
      .selectFrom("profile_keys")
      .select("key_name")
      .where("domain_name", "=", DomainName)
      .where("object_key", "=", "S-\ufffd-1")
      .execute();
    expect(left).toEqual([]);
  });

  it("an object's text comes back as stored, a lone surrogate as one U+FFFD, on both dialects", async () => {
    // The escape is in the request body, so the Object text itself holds the lone surrogate.
    const res = await signedFetch(t.endpoint, {
      method: "PUT",
      path: `/domains/${DomainName}/profiles/objects`,
      credentials: t.credentials,
      body: '{"ObjectTypeName":"Signup","Object":"{\\"id\\":\\"S-\\ud800-9\\",\\"email\\":\\"nine@example.com\\"}"}',
    });
    expect(res.status).toBe(200);
    const [row] = await t.server.database.db
      .selectFrom("profile_objects")
      .select(["profile_id", "payload"])
      .where("domain_name", "=", DomainName)
      .where("object_key", "=", "S-\ufffd-9")
      .execute();
    const listed = await t.profiles.send(
      new ListProfileObjectsCommand({ DomainName, ProfileId: row!.profile_id, ObjectTypeName: "Signup" }),
    );
    expect(listed.Items?.map((i) => i.Object)).toEqual(['{"id":"S-\ufffd-9","email":"nine@example.com"}']);
  });
});
