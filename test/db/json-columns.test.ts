import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { isProfileflowError, type ProfileflowError } from "../../src/core/errors.ts";
import { flowDefinitionColumn } from "../../src/flows/flow-definition-codec.ts";
import { FlowStore } from "../../src/flows/flow-store.ts";
import { openEnvelope } from "../../src/flows/postgres/job-sql.ts";
import { plainBoxes } from "../../src/profiles/domain-sealer.ts";
import { profileFieldsColumn } from "../../src/profiles/leaves-columns.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const definition = {
  flowName: "f1",
  triggerConfig: { triggerType: "OnDemand" as const },
  sourceFlowConfig: {
    connectorType: "Salesforce" as const,
    sourceConnectorProperties: { Salesforce: { object: "Contact" } },
  },
  destinationFlowConfigList: [
    {
      connectorType: "CustomerProfiles" as const,
      destinationConnectorProperties: { CustomerProfiles: { domainName: "d1" } },
    },
  ],
  tasks: [],
};

/** The error a read of malformed stored data must give: STORED_DATA_INVALID naming table and column. */
async function storedDataError(f: () => unknown): Promise<ProfileflowError> {
  try {
    await f();
  } catch (e) {
    if (isProfileflowError(e, "STORED_DATA_INVALID")) return e;
    throw e;
  }
  throw new Error("expected STORED_DATA_INVALID, got no failure");
}

describeEachDialect("JSON column codecs", (dialect) => {
  let t: TestDatabase;
  const flows = new FlowStore(new ManualClock(0), "arn:aws:appflow:us-east-1:000000000000:flow/");
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
  });
  afterAll(async () => t.destroy());

  async function putFlowRow(name: string, text: string): Promise<void> {
    await sql`insert into flows (name, arn, definition, status, hidden, created_at, updated_at)
      values (${name}, ${`arn:${name}`}, ${text}, 'Draft', 0, 0, 0)`.execute(t.db);
  }

  it("a stored value round-trips through its codec with its key order", async () => {
    await flows.create(t.db, definition, { status: "Draft" });
    const row = await t.db
      .selectFrom("flows")
      .select("definition")
      .where("name", "=", "f1")
      .executeTakeFirstOrThrow();
    expect(Object.keys(flowDefinitionColumn.parse(row.definition))).toEqual(Object.keys(definition));
    expect((await flows.get(t.db, "f1"))?.definition).toEqual(definition);
  });

  it("text that is not JSON is STORED_DATA_INVALID naming flows.definition", async () => {
    await putFlowRow("broken", "{not json");
    const e = await storedDataError(() => flows.get(t.db, "broken"));
    expect(e.details).toEqual({ table: "flows", column: "definition" });
  });

  it("JSON of the wrong shape is STORED_DATA_INVALID naming the member", async () => {
    await putFlowRow("misshapen", JSON.stringify({ ...definition, flowName: "misshapen", tasks: "none" }));
    const e = await storedDataError(() => flows.get(t.db, "misshapen"));
    expect(e.details).toEqual({ table: "flows", column: "definition" });
    expect(e.message).toContain("tasks");
  });

  it("profile leaves that are not strings are STORED_DATA_INVALID naming profiles.fields", async () => {
    await sql`insert into profiles (domain_name, profile_id, fields, manual, created_at, updated_at)
      values ('d1', 'p1', ${'{"FirstName":7}'}, '{}', 0, 0)`.execute(t.db);
    const row = await t.db
      .selectFrom("profiles")
      .select("fields")
      .where("profile_id", "=", "p1")
      .executeTakeFirstOrThrow();
    const e = await storedDataError(() => profileFieldsColumn.open(plainBoxes, row.fields));
    expect(e.details).toEqual({ table: "profiles", column: "fields" });
  });
});

it("the PostgreSQL queue envelope is checked: a bare object is its own payload, a malformed envelope is refused", async () => {
  expect(openEnvelope({ flowName: "f1" })).toEqual({ p: { flowName: "f1" }, o: 0, m: 1, b: 1000, r: 0 });
  const env = { p: { flowName: "f1" }, o: 1, m: 3, b: 500, r: 0, k: "key" };
  expect(openEnvelope(env)).toEqual(env);
  const bad = await storedDataError(() =>
    openEnvelope({ p: { flowName: "f1" }, o: "1", m: 3, b: 500, r: 0 }),
  );
  expect(bad.details).toEqual({ table: "graphile_worker.jobs", column: "payload" });
  expect(() => openEnvelope([1, 2])).toThrow(/not a job envelope/);
});
