import { describe, expect, it } from "vitest";
import { ConnectorError, type Page } from "../../src/connectors/sdk/index.ts";
import { preparePage } from "../../src/flows/page-batch.ts";
import { compileTasks } from "../../src/flows/tasks/compile-tasks.ts";

const page = (extra: Partial<Page> = {}): Page => ({
  records: [
    { id: "a", sourceTimestamp: 1, data: { Id: "a", Email: "é@x.io", Skip: 1 } },
    { id: "b", sourceTimestamp: 2, data: { Id: "b", Email: null, Skip: 2 } },
  ],
  deletions: [],
  rejected: [{ id: "c", data: { Id: "c" }, error: new ConnectorError("record", "no stamp") }],
  checkpoint: {},
  done: false,
  ...extra,
});
const project = compileTasks([
  { taskType: "Filter", sourceFields: ["Id", "Email"], connectorOperator: { Salesforce: "PROJECTION" } },
]);

describe("preparePage", () => {
  it("counts the wire bytes the connector reports instead of serializing each record", () => {
    const p = preparePage(page({ bytes: 12_345 }), project);
    expect(p.bytesProcessed).toBe(12_345);
    expect(p.records.map((r) => r.data)).toEqual([
      { Id: "a", Email: "é@x.io" },
      { Id: "b", Email: null },
    ]);
    expect(p.rejected.map((r) => r.recordId)).toEqual(["c"]);
  });

  it("measures the records' UTF-8 JSON when the connector does not know the wire size", () => {
    const p = preparePage(page(), project);
    const json = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
    const expected =
      json({ Id: "a", Email: "é@x.io", Skip: 1 }) +
      json({ Id: "b", Email: null, Skip: 2 }) +
      json({ Id: "c" });
    expect(p.bytesProcessed).toBe(expected);
  });
});
