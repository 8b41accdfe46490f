import { sql } from "kysely";
import { ManualClock } from "../../src/core/clock.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import type { FlowDefinition, FlowStatus, StoredFlow } from "../../src/flows/flow-definition.ts";
import { FlowEngine, type FlowEngineOptions } from "../../src/flows/flow-engine.ts";
import type { FlowCatalog } from "../../src/flows/flow-ports.ts";
import type { RecordSink } from "../../src/flows/record-sink.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import type { FakeSource } from "./fake-source.ts";

export const T0 = Date.UTC(2025, 0, 1);

/** Flows in memory; the engine reads them and reports status changes here. */
export class MemoryFlows implements FlowCatalog {
  readonly flows = new Map<string, StoredFlow>();
  async getFlow(name: string): Promise<StoredFlow | undefined> {
    return this.flows.get(name);
  }
  async setFlowStatus(_q: unknown, name: string, status: FlowStatus, message?: string): Promise<void> {
    const f = this.flows.get(name);
    if (f)
      this.flows.set(name, { ...f, flowStatus: status, ...(message ? { flowStatusMessage: message } : {}) });
  }
  /** Adds a flow reading the fake source's sys_user into domain `d`. */
  add(name: string, over: Partial<FlowDefinition> = {}, status: FlowStatus = "Active"): StoredFlow {
    const flow: StoredFlow = {
      flowArn: `arn:aws:appflow:us-east-1:123456789012:flow/${name}`,
      flowStatus: status,
      hidden: false,
      createdAt: T0,
      lastUpdatedAt: T0,
      definition: {
        flowName: name,
        triggerConfig: { triggerType: "OnDemand" },
        sourceFlowConfig: {
          connectorType: "Servicenow",
          connectorProfileName: "fake-conn",
          sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
        },
        destinationFlowConfigList: [
          {
            connectorType: "CustomerProfiles",
            destinationConnectorProperties: { CustomerProfiles: { domainName: "d", objectTypeName: "User" } },
          },
        ],
        tasks: [{ taskType: "Map_all", sourceFields: [], connectorOperator: { ServiceNow: "NO_OP" } }],
        ...over,
      },
    };
    this.flows.set(name, flow);
    return flow;
  }
}

/** Creates the test sink's tables: an append-only log (duplicates show) and objects keyed by id. */
export async function createSinkTables(db: TestDatabase): Promise<void> {
  await db.db.schema
    .createTable("test_sink_log")
    .addColumn("flow_name", "text")
    .addColumn("record_id", "text")
    .addColumn("ts", "bigint")
    .addColumn("op", "text")
    .execute();
  await db.db.schema
    .createTable("test_sink_objects")
    .addColumn("flow_name", "text")
    .addColumn("record_id", "text")
    .addColumn("data", "text")
    .addPrimaryKeyConstraint("test_sink_objects_pk", ["flow_name", "record_id"])
    .execute();
}

/** A sink that writes through the page's transaction into real tables; records with `bad: true` fail. */
export const tableSink: RecordSink = {
  async writeBatch(tx, batch) {
    const flow = batch.flow.definition.flowName;
    const failed = [];
    let bytes = 0;
    for (const r of batch.records) {
      if (r.data["bad"] === true) {
        failed.push({ recordId: r.id, data: r.data, code: "MAPPING_FAILED", message: "bad record" });
        continue;
      }
      const data = JSON.stringify(r.data);
      bytes += Buffer.byteLength(data);
      await sql`insert into test_sink_log values (${flow}, ${r.id}, ${r.sourceTimestamp}, 'put')`.execute(tx);
      await sql`insert into test_sink_objects values (${flow}, ${r.id}, ${data})
        on conflict (flow_name, record_id) do update set data = excluded.data`.execute(tx);
    }
    for (const d of batch.deletions) {
      await sql`insert into test_sink_log values (${flow}, ${d.id}, ${d.deletedAt}, 'delete')`.execute(tx);
      await sql`delete from test_sink_objects where flow_name = ${flow} and record_id = ${d.id}`.execute(tx);
    }
    return { accepted: batch.records.length - failed.length, bytesWritten: bytes, failed };
  },
};

/** The sink's log for a flow, in write order. */
export async function sinkLog(db: TestDatabase, flow: string): Promise<{ record_id: string; op: string }[]> {
  const r = await sql<{ record_id: string; op: string }>`
    select record_id, op from test_sink_log where flow_name = ${flow}`.execute(db.db);
  return r.rows;
}

/** The sink's current objects for a flow: id → data. */
export async function sinkObjects(db: TestDatabase, flow: string): Promise<Record<string, unknown>> {
  const r = await sql<{ record_id: string; data: string }>`
    select record_id, data from test_sink_objects where flow_name = ${flow} order by record_id`.execute(
    db.db,
  );
  return Object.fromEntries(r.rows.map((x) => [x.record_id, JSON.parse(x.data)]));
}

/** One runner (a process): an embedded executor and an engine on the shared database. */
export function makeRunner(
  db: TestDatabase,
  clock: ManualClock,
  source: FakeSource,
  flows: MemoryFlows,
  id: string,
  over: Partial<FlowEngineOptions> = {},
): { engine: FlowEngine; executor: EmbeddedExecutor } {
  // Heartbeats are real-time timers; an hour means "never" here, so a "killed" runner's lease just expires.
  const executor = new EmbeddedExecutor({
    db: db.db,
    clock,
    workerId: id,
    pollIntervalMs: 5,
    heartbeatIntervalMs: 3_600_000,
  });
  const engine = new FlowEngine({
    db: db.db,
    clock,
    executor,
    sink: tableSink,
    flows,
    connectors: { Servicenow: source.spec() },
    credentials: {
      resolve: async (name) => {
        if (name !== "fake-conn") throw new Error(`connector profile ${name} does not exist`);
        return { instanceUrl: "fake://", credentials: { kind: "bearer", accessToken: "good" } };
      },
    },
    heartbeatIntervalMs: 3_600_000,
    retryBaseMs: 10_000,
    ...over,
  });
  return { engine, executor };
}

/** Records r1..rn, one a minute from `start`. */
export function seed(source: FakeSource, n: number, start = T0 - 3_600_000): void {
  for (let i = 1; i <= n; i++) {
    source.records.push({
      id: `r${String(i).padStart(2, "0")}`,
      ts: start + i * 60_000,
      data: { n: i, email: `u${i}@x.io` },
    });
  }
}

export { ManualClock };
