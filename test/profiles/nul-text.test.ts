import {
  CreateProfileCommand,
  GetProfileHistoryRecordCommand,
  GetWorkflowCommand,
  ListAccountIntegrationsCommand,
  ListProfileObjectsCommand,
  SearchProfilesCommand,
  TagResourceCommand,
} from "@aws-sdk/client-customer-profiles";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { profilesSink } from "../../src/compose/profiles-sink.ts";
import type { Database } from "../../src/db/schema.ts";
import type { SinkBatch } from "../../src/flows/record-sink.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { startSignupServer } from "../helpers/signup-domain.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

// Issue 13, point 10: PostgreSQL's text cannot hold U+0000 (22021, or 22P05 through JSON), SQLite's can.
// The API refuses it in every member; a vendor's record holding it is stored (its keys with U+FFFD).
describeEachDialect("U+0000 (NUL): refused at the API, normalized in vendors' records", (dialect) => {
  let t: TestServer;
  const DomainName = "nuls";

  beforeAll(async () => {
    t = await startSignupServer(dialect, DomainName);
  });
  afterAll(async () => t?.close());

  describe("the API refuses it, naming the member, on every operation", () => {
    const refusal = async (send: () => Promise<unknown>) => {
      const e = (await send().then(
        () => undefined,
        (err: unknown) => err,
      )) as { name: string; message: string; $metadata: { httpStatusCode: number } } | undefined;
      expect(e, "the request was accepted").toBeDefined();
      expect(e!.$metadata.httpStatusCode).toBe(400);
      return e!.message;
    };

    it("in a list member, a string member, a map's key and a map's value of the body", async () => {
      expect(
        await refusal(() =>
          t.profiles.send(
            new SearchProfilesCommand({
              DomainName,
              KeyName: "_email",
              Values: ["a@x.com", "b\u0000@x.com"],
            }),
          ),
        ),
      ).toBe("1 validation error detected: Values.1 must not contain U+0000 (NUL)");
      expect(
        await refusal(() =>
          t.profiles.send(new CreateProfileCommand({ DomainName, FirstName: "Ad\u0000a" })),
        ),
      ).toBe("1 validation error detected: FirstName must not contain U+0000 (NUL)");
      expect(
        await refusal(() =>
          t.profiles.send(new CreateProfileCommand({ DomainName, Attributes: { "loyalty\u0000": "gold" } })),
        ),
      ).toBe("1 validation error detected: Attributes must not have a key containing U+0000 (NUL)");
      expect(
        await refusal(() =>
          t.profiles.send(
            new TagResourceCommand({
              resourceArn: `arn:aws:profile:us-east-1:123456789012:domains/${DomainName}`,
              tags: { team: "a\u0000" },
            }),
          ),
        ),
      ).toBe("1 validation error detected: tags.team must not contain U+0000 (NUL)");
      expect(
        await refusal(() => t.profiles.send(new ListAccountIntegrationsCommand({ Uri: "arn:\u0000" }))),
      ).toMatch(/^1 validation error detected: Uri must not contain U\+0000/);
    });

    it("in a path parameter and on every service (Secrets Manager's SecretId)", async () => {
      expect(
        await refusal(() => t.profiles.send(new GetWorkflowCommand({ DomainName, WorkflowId: "\u0000" }))),
      ).toBe("1 validation error detected: WorkflowId must not contain U+0000 (NUL)");
      expect(
        await refusal(() =>
          t.profiles.send(new GetProfileHistoryRecordCommand({ DomainName, ProfileId: "p1", Id: "x\u0000" })),
        ),
      ).toBe("1 validation error detected: Id must not contain U+0000 (NUL)");
      const secrets = new SecretsManagerClient({
        endpoint: t.endpoint,
        region: "us-east-1",
        credentials: t.credentials,
      });
      try {
        expect(await refusal(() => secrets.send(new DescribeSecretCommand({ SecretId: "db/\u0000" })))).toBe(
          "1 validation error detected: SecretId must not contain U+0000 (NUL)",
        );
      } finally {
        secrets.destroy();
      }
    });

    it("in the query string, and deep in a body nested past the call stack's depth", async () => {
      expect(
        await refusal(() =>
          t.profiles.send(
            new ListProfileObjectsCommand({
              DomainName,
              ProfileId: "p1",
              ObjectTypeName: "Signup",
              NextToken: "\u0000",
            }),
          ),
        ),
      ).toBe("1 validation error detected: NextToken must not contain U+0000 (NUL)");
      const deep = `${'{"a":['.repeat(20_000)}"\\u0000"${"]}".repeat(20_000)}`;
      const res = await signedFetch(t.endpoint, {
        method: "POST",
        path: `/domains/${DomainName}/profiles`,
        credentials: t.credentials,
        body: `{"Attributes":${deep}}`,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { Message: string }).Message).toMatch(
        /^1 validation error detected: Attributes\.a\.0\.a\.0\..*\.a\.0 must not contain U\+0000 \(NUL\)$/,
      );
    });
  });

  describe("a vendor's record holding it is stored, never a failed batch", () => {
    const putByFlow = async (records: Record<string, unknown>[], rejected: unknown[] = []) => {
      const sink = profilesSink(t.server.profiles, { now: () => Date.now() });
      const batch = {
        flow: { definition: { flowName: "signups" } },
        executionId: "e1",
        replaySince: Date.now(),
        domainName: DomainName,
        objectTypeName: "Signup",
        records: records.map((data) => ({ id: String(data["id"]), sourceTimestamp: 0, data })),
        deletions: [],
        rejected,
      } as unknown as SinkBatch;
      const db = t.server.database.db as Kysely<Database>;
      return db.transaction().execute((trx) => sink.writeBatch(trx, batch));
    };
    const objectRows = () =>
      t.server.database.db
        .selectFrom("profile_objects")
        .select(["object_key", "profile_id", "payload"])
        .where("domain_name", "=", DomainName)
        .where("object_type_name", "=", "Signup")
        .execute();
    const keyValues = async (keyName: string) =>
      (
        await t.server.database.db
          .selectFrom("profile_keys")
          .select("key_value")
          .where("domain_name", "=", DomainName)
          .where("key_name", "=", keyName)
          .where("origin", "=", "object")
          .execute()
      ).map((r) => r.key_value);
    /** What profile_keys stores for a normalized value: the domain's blind index of it (issue 16). */
    const indexed = async (keyName: string, value: string) =>
      (await t.server.profiles.profiles.sealer.boxesIn(t.server.database.db, DomainName)).index(
        keyName,
        value,
      );

    const record = { id: "S-\u0000-1", email: "ada\u0000@example.com", name: "Ad\u0000a", note: "x\u0000y" };

    it("NUL in a UNIQUE key, a PROFILE key and a field: keys get U+FFFD, the record is kept as sent", async () => {
      expect((await putByFlow([record])).failed).toEqual([]);
      expect((await putByFlow([record])).failed).toEqual([]);
      const rows = await objectRows();
      expect(rows.map((r) => r.object_key)).toEqual(["S-\ufffd-1"]);
      expect(await keyValues("_signupId")).toEqual([await indexed("_signupId", "S-\ufffd-1")]);
      expect(await keyValues("_email")).toEqual([await indexed("_email", "ada\ufffd@example.com")]);
      // The stored record is the vendor's, NUL included (JSON text escapes it: text columns keep that),
      // sealed under the domain's data key (issue 16): ListProfileObjects opens it.
      expect(rows[0]!.payload.startsWith("pfe2.")).toBe(true);
      const listed = await t.profiles.send(
        new ListProfileObjectsCommand({
          DomainName,
          ProfileId: rows[0]!.profile_id,
          ObjectTypeName: "Signup",
        }),
      );
      expect(listed.Items?.map((i) => JSON.parse(i.Object!))).toEqual([record]);
    });

    it("a search by the key's U+FFFD form finds the profile; the profile keeps the field as sent", async () => {
      const [row] = await objectRows();
      const found = await t.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_email", Values: ["ADA\ufffd@example.com"] }),
      );
      expect(found.Items?.map((i) => [i.ProfileId, i.FirstName])).toEqual([[row!.profile_id, "Ad\u0000a"]]);
    });

    it("the same key arriving through PutProfileObject (escaped in the Object text) is the same object", async () => {
      const res = await signedFetch(t.endpoint, {
        method: "PUT",
        path: `/domains/${DomainName}/profiles/objects`,
        credentials: t.credentials,
        body: JSON.stringify({ ObjectTypeName: "Signup", Object: JSON.stringify(record) }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { ProfileObjectUniqueKey: string }).ProfileObjectUniqueKey).toBe(
        "S-\ufffd-1",
      );
      expect((await objectRows()).length).toBe(1);
      expect(await keyValues("_email")).toEqual([await indexed("_email", "ada\ufffd@example.com")]);
    });

    it("records the connector refused, with NUL in their id and message, become dead letters", async () => {
      const out = await putByFlow(
        [],
        [
          {
            recordId: "R\u00001",
            data: { id: "R\u00001" },
            code: "TASK_FAILED",
            message: "bad value 'R\u00001'",
          },
        ],
      );
      expect(out.failed).toEqual([]);
      const letters = await t.server.database.db
        .selectFrom("profile_dead_letters")
        .select(["object_key", "payload", "message"])
        .where("domain_name", "=", DomainName)
        .execute();
      expect(letters).toEqual([
        {
          object_key: "R\ufffd1",
          payload: expect.stringMatching(/^pfe2\./),
          // The message quotes the record: sealed too (its NUL made U+FFFD first, so it opens as text).
          message: expect.stringMatching(/^pfe2\./),
        },
      ]);
      // Sealed under the domain's data key; the store opens it as the vendor sent it, NUL escaped.
      const db = t.server.database.db as Kysely<Database>;
      const page = await t.server.profiles.deadLetters.list(db, DomainName, {}, { maxResults: 10 });
      expect(page.items.map((d) => d.object)).toEqual(['{"id":"R\\u00001"}']);
      expect(page.items.map((d) => d.message)).toEqual(["bad value 'R\ufffd1'"]);
    });
  });
});
