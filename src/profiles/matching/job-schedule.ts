/** Matching.JobSchedule: the weekday and UTC time of the weekly identity resolution job. */
export interface JobSchedule {
  DayOfTheWeek: "SUNDAY" | "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY";
  Time: string;
}

const DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];
const WEEK = 7 * 24 * 3600_000;

/** AWS's default when JobSchedule is absent: every Saturday at 00:00 UTC (GetMatches documentation). */
export const DEFAULT_JOB_SCHEDULE: JobSchedule = { DayOfTheWeek: "SATURDAY", Time: "00:00" };

/** The latest scheduled time at or before `now` (epoch ms, UTC). */
export function lastOccurrence(schedule: JobSchedule | undefined, now: number): number {
  const s = schedule ?? DEFAULT_JOB_SCHEDULE;
  const [h, m] = s.Time.split(":").map(Number) as [number, number];
  const day = DAYS.indexOf(s.DayOfTheWeek);
  const d = new Date(now);
  const candidate = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, m);
  const back = (d.getUTCDay() - day + 7) % 7;
  const t = candidate - back * 24 * 3600_000;
  return t > now ? t - WEEK : t;
}
