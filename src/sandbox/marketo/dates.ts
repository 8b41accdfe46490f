/**
 * Marketo's mixed timestamp formats (sources.md §0.3): leads `Z`, activities `+0000`, bulk job
 * metadata with the instance's own offset. The instance's zone is America/Chicago, which is also
 * where the daily quotas reset.
 */

const chicagoParts = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

function partsOf(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of chicagoParts.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);

/** A lead timestamp: `2016-05-17T22:11:45Z`. */
export function formatLeadDate(ms: number): string {
  return `${isoSeconds(ms)}Z`;
}

/** An activity timestamp: `2014-09-17T22:31:49+0000`. */
export function formatActivityDate(ms: number): string {
  return `${isoSeconds(ms)}+0000`;
}

/** A bulk job timestamp in the instance zone: `2017-01-21T11:47:30-06:00`. */
export function formatJobDate(ms: number): string {
  const p = partsOf(ms);
  const local = Date.UTC(
    Number(p["year"]),
    Number(p["month"]) - 1,
    Number(p["day"]),
    Number(p["hour"]),
    Number(p["minute"]),
    Number(p["second"]),
  );
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${p["year"]}-${p["month"]}-${p["day"]}T${p["hour"]}:${p["minute"]}:${p["second"]}${sign}${hh}:${mm}`;
}

/** The Chicago calendar day of `ms` (`YYYY-MM-DD`): Marketo's quotas reset when it changes. */
export function chicagoDay(ms: number): string {
  const p = partsOf(ms);
  return `${p["year"]}-${p["month"]}-${p["day"]}`;
}

const isoWithZone = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO-8601 datetime that carries a zone; `allowMillis:false` rejects fractions (bulk filters). */
export function parseMarketoDate(text: string, allowMillis = true): number | undefined {
  const m = isoWithZone.exec(text.trim());
  if (!m) return undefined;
  if (m[7] !== undefined && !allowMillis) return undefined;
  let zone = m[8]!;
  if (zone !== "Z" && !zone.includes(":")) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}
