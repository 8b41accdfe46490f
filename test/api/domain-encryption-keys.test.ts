import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  GetDomainCommand,
  GetProfileHistoryRecordCommand,
  GetSimilarProfilesCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  ListRuleBasedMatchesCommand,
  MergeProfilesCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { DisableKeyCommand, EnableKeyCommand } from "@aws-sdk/client-kms";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { failure } from "../helpers/failure.ts";
import { kmsTestServer } from "../helpers/kms-test-server.ts";
import { crmAndHelpdesk, putObject } from "../helpers/matching-sources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";

/** Values that must never be stored in clear in an encrypted domain (compared lowercased). */
const MAIL = "zqmailmarker";
const NAME = "zqnamemarker";
const PHONE = "5552017391";

describeEachDialect("an encrypted domain's fields and key values", (dialect) => {
  const t = kmsTestServer(dialect);

  const db = () => t.server.database.db;
  const search = async (DomainName: string, KeyName: string, value: string) =>
    (await t.profiles.send(new SearchProfilesCommand({ DomainName, KeyName, Values: [value] }))).Items ?? [];
  const ids = async (DomainName: string, KeyName: string, value: string) =>
    (await search(DomainName, KeyName, value)).map((p) => p.ProfileId!).sort();
  const profileCount = async (DomainName: string) =>
    (await t.profiles.send(new GetDomainCommand({ DomainName }))).Stats?.ProfileCount;
  const extension = async (domain: string, op: "unmerge", body: Record<string, unknown>) => {
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: `/domains/${domain}/profiles/${op}`,
      body: JSON.stringify(body),
      credentials: t.credentials,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const matchingDomain = async (DomainName: string) => {
    const key = await t.createDomain(DomainName, {
      RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
    });
    await crmAndHelpdesk(t, DomainName);
    return key;
  };

  /** Every byte the database holds, lowercased: the SQLite files (with the WAL), or every PostgreSQL row as text. */
  async function storedText(): Promise<string> {
    if (dialect === "sqlite") {
      const dir = t.server.config.dataDir;
      return readdirSync(dir)
        .filter((f) => !f.endsWith(".key"))
        .map((f) => readFileSync(join(dir, f)).toString("latin1"))
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

  it("stores no field, history, merge record or key value in clear; search, filters, matching, merge and unmerge still answer", async () => {
    const D = "sealed-keys";
    await matchingDomain(D);
    await putObject(t, D, "crm", {
      id: "c1",
      first: "Zqnamemarker",
      last: "Lee",
      email: "Zqmailmarker@Lee.example",
      phone: "555-201-7391",
    });
    // The same person in the helpdesk, the email in another case: rule-based matching merges them.
    await putObject(t, D, "helpdesk", { id: "h1", email: "zqmailmarker@lee.EXAMPLE", birth: "1990-01-02" });
    expect(await profileCount(D)).toBe(1);
    const [person] = await search(D, "_email", "ZQMAILMARKER@lee.example");
    expect(person).toMatchObject({ FirstName: "Zqnamemarker", LastName: "Lee", BirthDate: "1990-01-02" });
    const main = person!.ProfileId!;
    expect(await ids(D, "_phone", "+1 555 201 7391")).toEqual([main]);
    expect(await ids(D, "_fullName", "Zqnamemarker Lee")).toEqual([main]);
    expect(await ids(D, "_crmId", "c1")).toEqual([main]);
    expect(await ids(D, "_helpdeskId", "h1")).toEqual([main]);
    expect(await ids(D, "_email", "someone@else.example")).toEqual([]);
    // Several keys: FoundByItems names the values asked, not what is stored.
    const both = await t.profiles.send(
      new SearchProfilesCommand({
        DomainName: D,
        KeyName: "_email",
        Values: ["zqmailmarker@lee.example"],
        AdditionalSearchKeys: [{ KeyName: "_crmId", Values: ["c1"] }],
        LogicalOperator: "AND",
      }),
    );
    expect(both.Items?.[0]?.FoundByItems).toEqual(
      expect.arrayContaining([
        { KeyName: "_email", Values: ["zqmailmarker@lee.example"] },
        { KeyName: "_crmId", Values: ["c1"] },
      ]),
    );
    const filtered = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName: D,
        ProfileId: main,
        ObjectTypeName: "crm",
        ObjectFilter: { KeyName: "_crmId", Values: ["c1"] },
      }),
    );
    expect(filtered.Items?.map((o) => JSON.parse(o.Object!).first)).toEqual(["Zqnamemarker"]);
    const none = await t.profiles.send(
      new ListProfileObjectsCommand({
        DomainName: D,
        ProfileId: main,
        ObjectTypeName: "crm",
        ObjectFilter: { KeyName: "_crmId", Values: ["c2"] },
      }),
    );
    expect(none.Items ?? []).toEqual([]);

    // The merge's history names the agreeing value as it was, read from sealed history.
    const history = await t.profiles.send(
      new ListProfileHistoryRecordsCommand({ DomainName: D, ProfileId: main, ActionType: "MERGED" }),
    );
    const record = await t.profiles.send(
      new GetProfileHistoryRecordCommand({
        DomainName: D,
        ProfileId: main,
        Id: history.ProfileHistoryRecords![0]!.Id!,
      }),
    );
    const content = JSON.parse(record.Content!) as {
      MergeId: string;
      Cause: { Links: { Rule: string[]; Values: Record<string, string> }[] };
    };
    expect(content.Cause.Links[0]).toMatchObject({
      Rule: ["EmailAddress"],
      Values: { EmailAddress: "zqmailmarker@lee.example" },
    });

    // A name-only agreement is a match, listed and not merged: holders are found by blind index.
    await putObject(t, D, "crm", { id: "c3", first: "Carl", last: "Diaz", email: "carl@one.example" });
    await putObject(t, D, "helpdesk", { id: "h3", first: "Carl", last: "Diaz", email: "cdiaz@two.example" });
    const matches = await t.profiles.send(new ListRuleBasedMatchesCommand({ DomainName: D }));
    expect(matches.MatchIds?.length).toBe(1);
    const similar = await t.profiles.send(
      new GetSimilarProfilesCommand({
        DomainName: D,
        MatchType: "RULE_BASED_MATCHING",
        SearchKey: "_crmId",
        SearchValue: "c3",
      }),
    );
    expect(similar.ProfileIds).toEqual(
      [...(await ids(D, "_crmId", "c3")), ...(await ids(D, "_helpdeskId", "h3"))].sort(),
    );

    // Unmerge gives the helpdesk profile back (its fields re-derived from sealed objects); MergeProfiles joins them again.
    const undone = await extension(D, "unmerge", { MergeId: content.MergeId });
    expect(undone.status).toBe(200);
    const [restored] = undone.body["RestoredProfileIds"] as string[];
    expect(await ids(D, "_email", "zqmailmarker@lee.example")).toEqual([main, restored!].sort());
    expect((await search(D, "_helpdeskId", "h1"))[0]).toMatchObject({ BirthDate: "1990-01-02" });
    expect((await search(D, "_crmId", "c1"))[0]?.BirthDate).toBeUndefined();
    await t.profiles.send(
      new MergeProfilesCommand({ DomainName: D, MainProfileId: main, ProfileIdsToBeMerged: [restored!] }),
    );
    expect(await ids(D, "_email", "zqmailmarker@lee.example")).toEqual([main]);
    expect(await ids(D, "_helpdeskId", "h1")).toEqual([main]);

    const stored = await storedText();
    for (const marker of [MAIL, NAME, PHONE]) expect(stored).not.toContain(marker);
    const keys = await db()
      .selectFrom("profile_keys")
      .select("key_value")
      .where("domain_name", "=", D)
      .execute();
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.key_value).toMatch(/^pfh1\.[A-Za-z0-9_-]{22}$/);
    const profiles = await db()
      .selectFrom("profiles")
      .select(["fields", "manual"])
      .where("domain_name", "=", D)
      .execute();
    for (const p of profiles) {
      // Fields are bound to their kind (a profile's and an object's fields), manual leaves to their column.
      expect(p.fields.startsWith("pfe3.")).toBe(true);
      expect(p.manual.startsWith("pfe2.")).toBe(true);
    }
  });

  it("a disabled key makes SearchProfiles fail with KMS's error until it is enabled again", async () => {
    const D = "sealed-disabled";
    const key = await matchingDomain(D);
    await putObject(t, D, "crm", { id: "c1", first: "Ann", last: "Lee", email: "ann@lee.example" });
    await t.kms.send(new DisableKeyCommand({ KeyId: key }));
    const refused = await failure(search(D, "_email", "ann@lee.example"));
    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toContain("disabled");
    await t.kms.send(new EnableKeyCommand({ KeyId: key }));
    expect(await search(D, "_email", "ann@lee.example")).toHaveLength(1);
  });

  it("a domain without a data key (created before encryption) keeps plain values and still works", async () => {
    const D = "plain-keys";
    await matchingDomain(D);
    // As a domain created before encryption: no data key.
    await db().deleteFrom("domain_data_keys").where("domain_name", "=", D).execute();
    await putObject(t, D, "crm", { id: "c1", first: "Plainname", last: "Lee", email: "Plain@Lee.example" });
    await putObject(t, D, "helpdesk", { id: "h1", email: "plain@lee.EXAMPLE", birth: "1990-01-02" });
    expect(await profileCount(D)).toBe(1);
    const [person] = await search(D, "_email", "PLAIN@lee.example");
    expect(person).toMatchObject({ FirstName: "Plainname", BirthDate: "1990-01-02" });
    const email = await db()
      .selectFrom("profile_keys")
      .select("key_value")
      .where("domain_name", "=", D)
      .where("key_name", "=", "_email")
      .execute();
    expect(email.map((k) => k.key_value)).toContain("plain@lee.example");
    const fields = await db().selectFrom("profiles").select("fields").where("domain_name", "=", D).execute();
    expect(JSON.parse(fields[0]!.fields)).toMatchObject({ FirstName: "Plainname" });
  });
});
