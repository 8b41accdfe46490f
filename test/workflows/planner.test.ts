import { describe, expect, it } from "vitest";
import {
  addUtcMonths,
  checkBatches,
  classifyFailure,
  halve,
  planBatches,
  splitWindow,
} from "../../src/flows/workflows/planner.ts";

const u = (s: string) => Date.parse(s);
const text = (ws: { from: number; to: number }[]) =>
  ws.map((w) => `${new Date(w.from).toISOString()}..${new Date(w.to).toISOString()}`);

describe("workflow planner", () => {
  it("plans 2-month calendar batches from the start to now, the last one ending at now", () => {
    const batches = planBatches(u("2024-01-15T10:00:00Z"), u("2024-08-02T12:30:00Z"));
    expect(text(batches)).toEqual([
      "2024-01-15T10:00:00.000Z..2024-03-15T10:00:00.000Z",
      "2024-03-15T10:00:00.000Z..2024-05-15T10:00:00.000Z",
      "2024-05-15T10:00:00.000Z..2024-07-15T10:00:00.000Z",
      "2024-07-15T10:00:00.000Z..2024-08-02T12:30:00.000Z",
    ]);
  });

  it("leaves no gap and no overlap: each batch starts where the previous ended", () => {
    const from = u("2021-03-07T00:00:00Z");
    const to = u("2025-06-01T00:00:00Z");
    const b = planBatches(from, to);
    expect(b[0]!.from).toBe(from);
    expect(b.at(-1)!.to).toBe(to);
    for (let i = 1; i < b.length; i++) expect(b[i]!.from).toBe(b[i - 1]!.to);
    expect(b).toHaveLength(26);
  });

  it("clamps month ends without drifting (Dec 31 → Feb 29 → Apr 30 → Jun 30 ... → Aug 31)", () => {
    const b = planBatches(u("2023-12-31T00:00:00Z"), u("2024-09-15T00:00:00Z"));
    expect(b.map((w) => new Date(w.to).toISOString().slice(0, 10))).toEqual([
      "2024-02-29",
      "2024-04-30",
      "2024-06-30",
      "2024-08-31",
      "2024-09-15",
    ]);
    expect(addUtcMonths(u("2023-01-31T05:00:00Z"), 1)).toBe(u("2023-02-28T05:00:00Z"));
  });

  it("one short batch when the span is under two months; an empty span is refused", () => {
    expect(planBatches(u("2024-01-01T00:00:00Z"), u("2024-01-20T00:00:00Z"))).toHaveLength(1);
    expect(() => planBatches(5, 5)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("checks explicit batches: sorted, non-empty, not overlapping; touching is fine", () => {
    expect(
      checkBatches([
        { from: 10, to: 20 },
        { from: 0, to: 10 },
      ]),
    ).toEqual([
      { from: 0, to: 10 },
      { from: 10, to: 20 },
    ]);
    expect(() =>
      checkBatches([
        { from: 0, to: 10 },
        { from: 9, to: 20 },
      ]),
    ).toThrow(/overlap/);
    expect(() => checkBatches([{ from: 10, to: 10 }])).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(() => checkBatches([])).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("splits a window into the fewest equal pieces within the vendor's limit (Marketo: 31 days)", () => {
    const day = 86_400_000;
    const w = { from: u("2024-01-01T00:00:00Z"), to: u("2024-03-01T00:00:00Z") }; // 60 days
    const pieces = splitWindow(w, 31 * day);
    expect(pieces).toEqual([
      { from: w.from, to: w.from + 30 * day },
      { from: w.from + 30 * day, to: w.to },
    ]);
    expect(splitWindow(w, 60 * day)).toEqual([w]);
    const odd = splitWindow({ from: 0, to: 100 }, 30);
    expect(odd).toEqual([
      { from: 0, to: 25 },
      { from: 25, to: 50 },
      { from: 50, to: 75 },
      { from: 75, to: 100 },
    ]);
  });

  it("halves a too-large window until a minute", () => {
    expect(halve({ from: 0, to: 3_600_001 })).toEqual([
      { from: 0, to: 1_800_000 },
      { from: 1_800_000, to: 3_600_001 },
    ]);
    expect(halve({ from: 0, to: 119_999 })).toBeUndefined();
  });

  it("classifies execution failures from the engine's messages", () => {
    expect(classifyFailure("Failed after 3 attempts with transient source errors; last: 503")).toBe(
      "transient",
    );
    expect(
      classifyFailure(
        "The source refused the request: QUERY_TIMEOUT: Your query request was running for too long.",
      ),
    ).toBe("window_too_large");
    expect(classifyFailure("The source refused the request: 1003 Date range exceeds 31 days")).toBe(
      "window_too_large",
    );
    expect(classifyFailure("The source rejected the credentials: 401 invalid token")).toBe("permanent");
  });
});
