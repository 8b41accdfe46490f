import { describe, expect, it } from "vitest";
import type { Task } from "../../src/flows/flow-definition.ts";
import { parseScheduleExpression } from "../../src/flows/schedule-expression.ts";
import { compileTasks } from "../../src/flows/tasks/compile-tasks.ts";

const op = (o: string) => ({ ServiceNow: o });

describe("compileTasks", () => {
  it("maps, masks, truncates, merges and computes into destination fields", () => {
    const tasks: Task[] = [
      {
        taskType: "Filter",
        sourceFields: ["first", "last", "phone", "a", "b"],
        connectorOperator: op("PROJECTION"),
      },
      {
        taskType: "Map",
        sourceFields: ["first"],
        destinationField: "firstName",
        connectorOperator: op("NO_OP"),
      },
      {
        taskType: "Mask",
        sourceFields: ["phone"],
        destinationField: "phone",
        connectorOperator: op("MASK_LAST_N"),
        taskProperties: { MASK_LENGTH: "4" },
      },
      {
        taskType: "Truncate",
        sourceFields: ["last"],
        destinationField: "short",
        taskProperties: { TRUNCATE_LENGTH: "3" },
      },
      { taskType: "Merge", sourceFields: ["first", "last"], destinationField: "full" },
      {
        taskType: "Arithmetic",
        sourceFields: ["a", "b"],
        destinationField: "sum",
        connectorOperator: op("ADDITION"),
      },
      {
        taskType: "Arithmetic",
        sourceFields: ["a", "b"],
        destinationField: "q",
        connectorOperator: op("DIVISION"),
        taskProperties: { MATH_OPERATION_FIELDS_ORDER: "b,a" },
      },
    ];
    const run = compileTasks(tasks);
    expect(run({ first: "Ada", last: "Lovelace", phone: "5551234567", a: "2", b: 8, secret: "x" })).toEqual({
      kind: "keep",
      data: { firstName: "Ada", phone: "555123****", short: "Lov", full: "Ada Lovelace", sum: 10, q: 4 },
    });
    expect(run({ first: "Ada", a: "two", b: 1 })).toEqual({
      kind: "failed",
      reason: "field a is not a number for ADDITION",
    });
  });

  it("filters with exclusive bounds on datetimes, numbers and strings", () => {
    const between = compileTasks([
      { taskType: "Map_all", sourceFields: [] },
      {
        taskType: "Filter",
        sourceFields: ["updated"],
        connectorOperator: op("BETWEEN"),
        taskProperties: {
          DATA_TYPE: "datetime",
          LOWER_BOUND: String(Date.UTC(2024, 0, 1)),
          UPPER_BOUND: String(Date.UTC(2024, 1, 1)),
        },
      },
    ]);
    expect(between({ updated: "2024-01-15 10:00:00" }).kind).toBe("keep");
    expect(between({ updated: "2024-01-01T00:00:00.000+0000" }).kind).toBe("filtered");
    expect(between({ updated: "2024-02-01T00:00:00Z" }).kind).toBe("filtered");
    expect(between({}).kind).toBe("filtered");
    const gt = compileTasks([
      { taskType: "Map_all", sourceFields: [] },
      {
        taskType: "Filter",
        sourceFields: ["n"],
        connectorOperator: op("GREATER_THAN"),
        taskProperties: { DATA_TYPE: "integer", VALUE: "10" },
      },
    ]);
    expect([9, 10, 11, "12"].map((n) => gt({ n }).kind)).toEqual(["filtered", "filtered", "keep", "keep"]);
    const contains = compileTasks([
      { taskType: "Map_all", sourceFields: [] },
      {
        taskType: "Filter",
        sourceFields: ["s"],
        connectorOperator: op("CONTAINS"),
        taskProperties: { VALUE: "ab" },
      },
    ]);
    expect([contains({ s: "xaby" }).kind, contains({ s: "xy" }).kind]).toEqual(["keep", "filtered"]);
  });

  it("validates: drop record or terminate the flow", () => {
    const v = (o: string, action: string) =>
      compileTasks([
        { taskType: "Map_all", sourceFields: [] },
        {
          taskType: "Validate",
          sourceFields: ["x"],
          connectorOperator: op(o),
          taskProperties: { VALIDATION_ACTION: action },
        },
      ]);
    expect(v("VALIDATE_NON_NULL", "DropRecord")({ x: "" })).toEqual({
      kind: "dropped",
      reason: "field x failed VALIDATE_NON_NULL",
    });
    expect(v("VALIDATE_NUMERIC", "TerminateFlow")({ x: "abc" }).kind).toBe("terminate");
    expect(v("VALIDATE_NON_ZERO", "DropRecord")({ x: "0" }).kind).toBe("dropped");
    expect(v("VALIDATE_NON_NEGATIVE", "DropRecord")({ x: 3 }).kind).toBe("keep");
  });
});

describe("parseScheduleExpression", () => {
  it("reads rate(N unit) in AWS's spellings", () => {
    expect(parseScheduleExpression("rate(5minutes)")).toBe(300_000);
    expect(parseScheduleExpression("rate(1 hours)")).toBe(3_600_000);
    expect(parseScheduleExpression("rate(1 day)")).toBe(86_400_000);
  });
  it("rejects anything else", () => {
    for (const e of ["rate(0 minutes)", "cron(0 * * * ? *)", "rate(5 seconds)"]) {
      expect(() => parseScheduleExpression(e)).toThrow(
        expect.objectContaining({ code: "VALIDATION_FAILED" }),
      );
    }
  });
});
