import { describe, expect, it } from "vitest";
import { lastOccurrence } from "../../src/profiles/matching/job-schedule.ts";

describe("Matching.JobSchedule", () => {
  // Thursday 2026-12-03 07:12 UTC.
  const now = Date.UTC(2026, 11, 3, 7, 12);

  it("the latest scheduled time at or before now, in UTC", () => {
    expect(new Date(lastOccurrence({ DayOfTheWeek: "MONDAY", Time: "3:30" }, now)).toISOString()).toBe(
      "2026-11-30T03:30:00.000Z",
    );
    // Today, earlier than now: today; later than now: a week ago.
    expect(new Date(lastOccurrence({ DayOfTheWeek: "THURSDAY", Time: "07:00" }, now)).toISOString()).toBe(
      "2026-12-03T07:00:00.000Z",
    );
    expect(new Date(lastOccurrence({ DayOfTheWeek: "THURSDAY", Time: "07:13" }, now)).toISOString()).toBe(
      "2026-11-26T07:13:00.000Z",
    );
  });

  it("without a schedule, Saturday 00:00 UTC (AWS's documented default)", () => {
    expect(new Date(lastOccurrence(undefined, now)).toISOString()).toBe("2026-11-28T00:00:00.000Z");
  });
});
