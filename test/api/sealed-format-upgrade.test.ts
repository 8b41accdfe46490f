import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppflowClient } from "@aws-sdk/client-appflow";
import {
  AddProfileKeyCommand,
  CreateDomainCommand,
  CustomerProfilesClient,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  MergeProfilesCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import type { DialectName } from "../../src/db/dialect.ts";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { composeServer } from "../../src/main.ts";
import type { DomainBoxes } from "../../src/profiles/domain-sealer.ts";
import { upgradeSealedFormats } from "../../src/profiles/sealed-format-upgrade.ts";
import { DomainKeys } from "../../src/security/kms/domain-keys.ts";
import { crmAndHelpdesk, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { createPostgresDatabase, describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";

/** Values the previous release stored in clear in an encrypted domain (compared lowercased). */
const MAIL = "zqoldmailmarker";
const NAME = "zqoldnamemarker";
const MANUAL = "zqoldmanualmarker";
const LETTER = "zqoldlettermarker";

const credentials = { accessKeyId: "AKIDPROFILEFLOWTEST", secretAccessKey: "test-secret-key" };

/** A profileflow on a data directory and database that outlive it: `restart` starts it again on them. */
async function startOn(config: Config): Promise<TestServer> {
  const server = await composeServer(config, {
    logger: createLogger("silent"),
    executor: { pollIntervalMs: 50 },
  });
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  // Each client its own copy: the SDK marks the credentials object it is given.
  const clientConfig = { endpoint, region: config.region, credentials: { ...credentials }, maxAttempts: 1 };
  const profiles = new CustomerProfilesClient(clientConfig);
  const appflow = new AppflowClient(clientConfig);
  return {
    server,
    endpoint,
    credentials,
    profiles,
    appflow,
    close: async () => {
      profiles.destroy();
      appflow.destroy();
      await server.close();
    },
  };
}

describeEachDialect(
  "an encrypted domain of the previous release, upgraded at start",
  (dialect: DialectName) => {
    let t: TestServer;
    let config: Config;
    let dropPg: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "pf-upgrade-"));
      const pg = dialect === "postgres" ? await createPostgresDatabase() : undefined;
      dropPg = pg?.drop;
      config = loadConfig({
        flags: {
          port: 0,
          dataDir,
          databaseUrl: pg?.url,
          logLevel: "silent",
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
        },
      });
      t = await startOn(config);
    });
    afterAll(async () => {
      await t?.close();
      await dropPg?.();
      if (config) rmSync(config.dataDir, { recursive: true, force: true });
    });

    const db = () => t.server.database.db;
    const restart = async () => {
      await t.close();
      t = await startOn(config);
    };
    const ids = async (DomainName: string, KeyName: string, value: string) =>
      (
        (await t.profiles.send(new SearchProfilesCommand({ DomainName, KeyName, Values: [value] }))).Items ??
        []
      )
        .map((p) => p.ProfileId!)
        .sort();
    const format = async (D: string) =>
      (
        await db()
          .selectFrom("domain_data_keys")
          .select("sealed_format")
          .where("domain_name", "=", D)
          .executeTakeFirstOrThrow()
      ).sealed_format;
    const boxesOf = (D: string): Promise<DomainBoxes> =>
      new DomainKeys(t.server.kms, null).boxesIn(db(), D, { anyFormat: true });

    /** Every byte the database holds, lowercased: the SQLite files (with the WAL), or every PostgreSQL row as text. */
    async function storedText(): Promise<string> {
      if (dialect === "sqlite") {
        return readdirSync(config.dataDir)
          .filter((f) => !f.endsWith(".key"))
          .map((f) => readFileSync(join(config.dataDir, f)).toString("latin1"))
          .join("\n")
          .toLowerCase();
      }
      const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db());
      const out: string[] = [];
      for (const { name } of tables.rows) {
        const rows = await sql<{
          r: string;
        }>`select row_to_json(x)::text as r from ${sql.table(name)} x`.execute(db());
        out.push(...rows.rows.map((r) => r.r));
      }
      return out.join("\n").toLowerCase();
    }

    /**
     * A domain as the previous release left it: made with a data key, its object payloads and
     * dead-lettered records sealed, and everything else — profile fields, object fields, history,
     * merge records, rule matches, key values, dead-letter messages — in clear. Written by the current
     * code while the domain's data key is set aside (a domain without one stores values as they are),
     * then the payloads sealed and the key put back, with `sealed_format` 1 as migration 0310 gives it.
     */
    async function previousReleaseDomain(D: string): Promise<{ main: string; mergeId: string }> {
      await t.profiles.send(
        new CreateDomainCommand({
          DomainName: D,
          DefaultExpirationDays: 30,
          RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
        }),
      );
      await crmAndHelpdesk(t, D);
      const dataKey = await db()
        .selectFrom("domain_data_keys")
        .selectAll()
        .where("domain_name", "=", D)
        .executeTakeFirstOrThrow();
      await db().deleteFrom("domain_data_keys").where("domain_name", "=", D).execute();
      await putObject(t, D, "crm", {
        id: "c1",
        first: "Zqoldnamemarker",
        last: "Lee",
        email: "Zqoldmailmarker@Lee.example",
        phone: "555-201-7391",
      });
      // Matched by email and merged at ingestion: a rule match, a merge record, MERGED history.
      await putObject(t, D, "helpdesk", {
        id: "h1",
        email: "zqoldmailmarker@lee.EXAMPLE",
        birth: "1990-01-02",
      });
      // A profile with a manual key (and nothing that would change main's fields), merged by hand: the merge record lists the key in clear.
      await putObject(t, D, "helpdesk", { id: "h2", birth: "1990-01-02" });
      for (let i = 0; i < 6; i++)
        await putObject(t, D, "crm", {
          id: `x${i}`,
          first: `Extra${i}`,
          last: "Row",
          email: `extra${i}@x.example`,
        });
      const [main] = await ids(D, "_crmId", "c1");
      const [other] = await ids(D, "_helpdeskId", "h2");
      await t.profiles.send(
        new AddProfileKeyCommand({
          DomainName: D,
          ProfileId: other!,
          KeyName: "loyalty",
          Values: [`${MANUAL}-7`],
        }),
      );
      await t.profiles.send(
        new MergeProfilesCommand({ DomainName: D, MainProfileId: main!, ProfileIdsToBeMerged: [other!] }),
      );
      const merges = await db()
        .selectFrom("profile_merges")
        .select(["merge_id", "before"])
        .where("domain_name", "=", D)
        .orderBy("seq", "desc")
        .execute();
      expect(merges[0]!.before).toContain(MANUAL);
      await db()
        .insertInto("domain_data_keys")
        .values({ ...dataKey, sealed_format: 1 })
        .execute();
      const boxes = await boxesOf(D);
      const objects = await db()
        .selectFrom("profile_objects")
        .select(["object_type_name", "object_key", "payload"])
        .where("domain_name", "=", D)
        .execute();
      for (const o of objects) {
        await db()
          .updateTable("profile_objects")
          .set({ payload: boxes.at("profile_objects.payload").seal(o.payload) })
          .where("domain_name", "=", D)
          .where("object_type_name", "=", o.object_type_name)
          .where("object_key", "=", o.object_key)
          .execute();
      }
      await db()
        .insertInto("profile_dead_letters")
        .values({
          domain_name: D,
          dead_letter_id: "dl-1",
          object_type_name: "crm",
          object_key: null,
          payload: boxes.at("profile_dead_letters.payload").seal(JSON.stringify({ email: `${LETTER}@x` })),
          reason_code: "INVALID_RECORD",
          message: `bad value '${LETTER}@x'`,
          created_at: Date.now(),
        })
        .execute();
      // The previous release's rows, as this one finds them: in clear.
      const keys = await db()
        .selectFrom("profile_keys")
        .select("key_value")
        .where("domain_name", "=", D)
        .execute();
      expect(keys.map((k) => k.key_value)).toContain("zqoldmailmarker@lee.example");
      const fields = await db()
        .selectFrom("profiles")
        .select("fields")
        .where("domain_name", "=", D)
        .execute();
      expect(fields.some((f) => f.fields.startsWith("{"))).toBe(true);
      return { main: main!, mergeId: merges[0]!.merge_id };
    }

    /** Everything answers through the SDK, and no plain value of D is left in the database. */
    async function expectUpgraded(D: string, main: string, mergeId: string): Promise<void> {
      expect(await format(D)).toBe(2);
      expect(await ids(D, "_email", "ZQOLDMAILMARKER@lee.example")).toEqual([main]);
      expect(await ids(D, "_phone", "+1 555 201 7391")).toEqual([main]);
      expect(await ids(D, "_fullName", "Zqoldnamemarker Lee")).toEqual([main]);
      expect(await ids(D, "loyalty", `${MANUAL}-7`)).toEqual([main]);
      expect(await ids(D, "_crmId", "x3")).toHaveLength(1);
      const [person] = (
        await t.profiles.send(new SearchProfilesCommand({ DomainName: D, KeyName: "_crmId", Values: ["c1"] }))
      ).Items!;
      expect(person).toMatchObject({
        FirstName: "Zqoldnamemarker",
        LastName: "Lee",
        BirthDate: "1990-01-02",
        // The newest object's email, as ingested.
        EmailAddress: "zqoldmailmarker@lee.EXAMPLE",
      });
      const filtered = await t.profiles.send(
        new ListProfileObjectsCommand({
          DomainName: D,
          ProfileId: main,
          ObjectTypeName: "helpdesk",
          ObjectFilter: { KeyName: "_helpdeskId", Values: ["h1"] },
        }),
      );
      expect(filtered.Items?.map((o) => JSON.parse(o.Object!).birth)).toEqual(["1990-01-02"]);
      const history = await t.profiles.send(
        new ListProfileHistoryRecordsCommand({ DomainName: D, ProfileId: main }),
      );
      expect(history.ProfileHistoryRecords?.map((r) => r.ActionType)).toEqual(
        expect.arrayContaining(["INGESTED", "MERGED"]),
      );
      const letters = await t.server.profiles.deadLetters.list(db(), D, {}, { maxResults: 10 });
      expect(JSON.stringify(letters)).toContain(`bad value '${LETTER}@x'`);

      const stored = await storedText();
      for (const marker of [MAIL, NAME, MANUAL, LETTER]) expect(stored).not.toContain(marker);
      const keys = await db()
        .selectFrom("profile_keys")
        .select("key_value")
        .where("domain_name", "=", D)
        .execute();
      for (const k of keys) expect(k.key_value).toMatch(/^pfh1\.[A-Za-z0-9_-]{22}$/);

      // The hand merge's record was converted with its manual key indexed: unmerge gives the key back.
      const undone = await signedFetch(t.endpoint, {
        method: "POST",
        path: `/domains/${D}/profiles/unmerge`,
        body: JSON.stringify({ MergeId: mergeId }),
        credentials,
      });
      expect(undone.status).toBe(200);
      const [restored] = ((await undone.json()) as { RestoredProfileIds: string[] }).RestoredProfileIds;
      expect(await ids(D, "loyalty", `${MANUAL}-7`)).toEqual([restored]);
    }

    it("restarting converts the domain's plain fields and key values in place; search, reads, filters, history and unmerge answer", async () => {
      const D = "old-release";
      const { main, mergeId } = await previousReleaseDomain(D);
      // Before the upgrade the domain is not served (it would miss the plain key rows and refuse the plain
      // fields, while writing new rows sealed): a clear refusal, until a start converts it.
      await expect(ids(D, "_email", "zqoldmailmarker@lee.example")).rejects.toThrow(
        /still holds values written by an earlier release, not yet converted/,
      );
      await restart();
      await expectUpgraded(D, main, mergeId);
      // A domain made now is written in the current format: nothing to convert.
      await t.profiles.send(new CreateDomainCommand({ DomainName: "made-now", DefaultExpirationDays: 30 }));
      expect(await format("made-now")).toBe(2);
    });

    it("an upgrade stopped after one batch leaves the format unset; the next start finishes it", async () => {
      const D = "old-crashed";
      const { main, mergeId } = await previousReleaseDomain(D);
      let batches = 0;
      const crash = new Error("process killed");
      const run = upgradeSealedFormats({
        db: db(),
        dialect,
        sealer: new DomainKeys(t.server.kms, null),
        logger: createLogger("silent"),
        batchSize: 3,
        afterBatch: () => {
          batches++;
          throw crash;
        },
      });
      await expect(run).rejects.toBe(crash);
      expect(batches).toBe(1);
      expect(await format(D)).toBe(1);
      const profiles = await db()
        .selectFrom("profiles")
        .select("fields")
        .where("domain_name", "=", D)
        .execute();
      const sealed = profiles.filter((p) => p.fields.startsWith("pfe3.")).length;
      expect(sealed).toBe(3);
      expect(profiles.length).toBeGreaterThan(sealed);
      await restart();
      await expectUpgraded(D, main, mergeId);
    });

    it.runIf(dialect === "postgres")(
      "two processes upgrading at once (server and worker) each convert only what is still plain",
      async () => {
        const D = "old-two-processes";
        const { main, mergeId } = await previousReleaseDomain(D);
        const other = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 2 });
        try {
          const upgrade = (q: typeof other.db) =>
            upgradeSealedFormats({
              db: q,
              dialect,
              sealer: new DomainKeys(t.server.kms, null),
              logger: createLogger("silent"),
              batchSize: 2,
            });
          await Promise.all([upgrade(db()), upgrade(other.db)]);
        } finally {
          await other.close();
        }
        // A value sealed twice would not open as JSON: every read below would fail.
        await expectUpgraded(D, main, mergeId);
      },
    );
  },
);
