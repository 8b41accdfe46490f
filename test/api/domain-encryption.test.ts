import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateDomainCommand,
  DeleteDomainCommand,
  GetDomainCommand,
  ListProfileObjectsCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { kmsTestServer } from "../helpers/kms-test-server.ts";
import { describeEachDialect } from "../helpers/test-database.ts";

const MARKER = "zq-marker-7f3a9c";
const contact = (id: string) =>
  JSON.stringify({
    Id: id,
    FirstName: "Ada",
    LastName: "Lovelace",
    Email: `${id.toLowerCase()}@example.com`,
    // Mapped to no profile field: it lives only in the stored payload.
    Internal_Note__c: `${MARKER}-${id}`,
  });

describeEachDialect("a domain's KMS key and its sealed data", (dialect) => {
  const t = kmsTestServer(dialect);
  let n = 0;

  const newDomain = async (DefaultEncryptionKey?: string) => {
    const DomainName = `enc-${++n}`;
    return {
      DomainName,
      key: await t.createDomain(DomainName, { DefaultExpirationDays: 365, DefaultEncryptionKey }),
    };
  };
  const put = (DomainName: string, id: string) =>
    t.profiles.send(
      new PutProfileObjectCommand({ DomainName, ObjectTypeName: "Salesforce-Contact", Object: contact(id) }),
    );
  const objects = async (DomainName: string, id: string) => {
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: [id] }),
    );
    const ProfileId = found.Items![0]!.ProfileId!;
    return t.profiles.send(
      new ListProfileObjectsCommand({ DomainName, ProfileId, ObjectTypeName: "Salesforce-Contact" }),
    );
  };

  /** Every byte the database holds: the SQLite files (with the WAL), or every PostgreSQL row as text. */
  async function storedText(): Promise<string> {
    if (dialect === "sqlite") {
      const dir = t.server.config.dataDir;
      return readdirSync(dir)
        .filter((f) => !f.endsWith(".key"))
        .map((f) => readFileSync(join(dir, f)).toString("latin1"))
        .join("\n");
    }
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.server.database.db);
    const out: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await sql<{
        r: string;
      }>`select row_to_json(x)::text as r from ${sql.table(name)} x`.execute(t.server.database.db);
      out.push(...rows.rows.map((r) => r.r));
    }
    return out.join("\n");
  }

  it("CreateDomain without a key gets a KMS key of its own; a given key must be an enabled key of this server", async () => {
    const { key } = await newDomain();
    const described = await t.kms.send(new DescribeKeyCommand({ KeyId: key }));
    expect(described.KeyMetadata).toMatchObject({ Arn: key, KeyState: "Enabled" });
    const own = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const given = await newDomain(own);
    expect(given.key).toBe(own);
    const unknown = await failure(newDomain("arn:aws:kms:us-east-1:000000000000:key/made-up"));
    expect(unknown.name).toBe("BadRequestException");
    expect(unknown.message).toContain("DefaultEncryptionKey");
    await t.kms.send(new DisableKeyCommand({ KeyId: own }));
    const disabled = await failure(newDomain(own));
    expect(disabled.name).toBe("BadRequestException");
    expect(disabled.message).toContain("disabled");
    await t.kms.send(new EnableKeyCommand({ KeyId: own }));
  });

  it("a refused CreateDomain leaves no key behind; DeleteDomain takes the domain's data key along", async () => {
    const { DomainName } = await newDomain();
    const keys = async () => (await t.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.length;
    const before = await keys();
    const taken = await failure(
      t.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 1 })),
    );
    expect(taken.name).toBe("BadRequestException");
    expect(await keys()).toBe(before);
    const dataKeys = () =>
      t.server.database.db
        .selectFrom("domain_data_keys")
        .select("domain_name")
        .where("domain_name", "=", DomainName)
        .execute();
    expect(await dataKeys()).toHaveLength(1);
    await t.profiles.send(new DeleteDomainCommand({ DomainName }));
    expect(await dataKeys()).toEqual([]);
  });

  it("object payloads are stored sealed: the marker is nowhere in the database, yet the API returns it", async () => {
    const { DomainName } = await newDomain();
    await put(DomainName, "003A");
    const listed = await objects(DomainName, "003A");
    expect(listed.Items![0]!.Object).toBe(contact("003A"));
    expect(await storedText()).not.toContain(MARKER);
  });

  it("a disabled key makes the domain's data unreadable (AccessDeniedException) until it is enabled again", async () => {
    const { DomainName, key } = await newDomain();
    await put(DomainName, "003B");
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003B"] }),
    );
    const ProfileId = found.Items![0]!.ProfileId!;
    await t.kms.send(new DisableKeyCommand({ KeyId: key }));
    const read = await failure(
      t.profiles.send(
        new ListProfileObjectsCommand({ DomainName, ProfileId, ObjectTypeName: "Salesforce-Contact" }),
      ),
    );
    expect(read.name).toBe("AccessDeniedException");
    expect(read.message).toContain("disabled");
    expect((await failure(put(DomainName, "003C"))).name).toBe("AccessDeniedException");
    await t.kms.send(new EnableKeyCommand({ KeyId: key }));
    expect((await objects(DomainName, "003B")).Items![0]!.Object).toBe(contact("003B"));
  });

  it("UpdateDomain to another key re-wraps the data key; deleting the key destroys the data for good", async () => {
    const { DomainName, key: first } = await newDomain();
    await put(DomainName, "003D");
    const second = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const updated = await t.profiles.send(
      new UpdateDomainCommand({ DomainName, DefaultEncryptionKey: second }),
    );
    expect(updated.DefaultEncryptionKey).toBe(second);
    await t.kms.send(new DisableKeyCommand({ KeyId: first }));
    expect((await objects(DomainName, "003D")).Items![0]!.Object).toBe(contact("003D"));
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: second, PendingWindowInDays: 7 }));
    expect((await failure(objects(DomainName, "003D"))).name).toBe("AccessDeniedException");
    await t.server.kms.deleteDue(Date.now() + 8 * 86_400_000);
    const gone = await failure(objects(DomainName, "003D"));
    expect(gone.name).toBe("AccessDeniedException");
    expect(gone.message).toContain("deleted");
    expect((await t.profiles.send(new GetDomainCommand({ DomainName }))).DefaultEncryptionKey).toBe(second);
  });
});
