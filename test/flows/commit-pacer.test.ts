import { describe, expect, it } from "vitest";
import { CommitPacer } from "../../src/flows/commit-pacer.ts";
import { commitBudgetOf, DEFAULT_COMMIT_BUDGET } from "../../src/flows/runner-deps.ts";

describe("CommitPacer", () => {
  it("sizes parts from the time records took, smallest while requests wait", () => {
    const pacer = new CommitPacer({ aloneMs: 250, sharedMs: 50, busyMs: 20 });
    // Before any part was timed: one record a millisecond of budget, at most 250.
    expect(pacer.next(2_000)).toBe(250);
    expect(pacer.next(2_000, "busy")).toBe(20);
    pacer.observe(250, 125); // 0.5 ms a record
    expect(pacer.next(2_000, "alone")).toBe(500);
    expect(pacer.next(2_000, "shared")).toBe(100);
    expect(pacer.next(2_000, "busy")).toBe(40);
    // The estimate follows later parts (the mean of the last estimate and the new part).
    pacer.observe(100, 150); // 1.5 ms a record → 1 ms
    expect(pacer.next(2_000, "alone")).toBe(250);
  });

  it("leaves no sliver, never goes under the smallest part, and 0 commits whole groups", () => {
    const pacer = new CommitPacer({ aloneMs: 100, sharedMs: 100, busyMs: 100, minRecords: 30 });
    pacer.observe(100, 1_000); // 10 ms a record: 10 by the budget, 30 by the floor
    expect(pacer.next(1_000)).toBe(30);
    expect(pacer.next(45)).toBe(45); // a rest of 15 would be under half a part
    expect(pacer.next(46)).toBe(30);
    expect(new CommitPacer(commitBudgetOf(0)).next(10_000, "busy")).toBe(10_000);
  });

  it("the configured budget bounds the shared and busy ones", () => {
    expect(commitBudgetOf(250)).toEqual(DEFAULT_COMMIT_BUDGET);
    expect(commitBudgetOf(30)).toEqual({ aloneMs: 30, sharedMs: 30, busyMs: 20 });
    // PostgreSQL: whole groups, but parts of ≤ 50 ms while requests are in flight.
    expect(commitBudgetOf(250, "postgres")).toEqual({ aloneMs: 0, sharedMs: 0, busyMs: 50 });
    expect(commitBudgetOf(0, "postgres")).toEqual({ aloneMs: 0, sharedMs: 0, busyMs: 0 });
  });
});
