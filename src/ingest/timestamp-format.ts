/**
 * SourceLastUpdatedTimestampFormat: a Java SimpleDateFormat pattern (what the AWS model doc says the
 * service parses with). We support the subset vendors' timestamps need, compiled once to a RegExp:
 * yyyy MM M dd d HH H mm ss S… (fraction), Z / X / XX / XXX (zones), 'quoted text', and literal
 * punctuation. Without a zone letter the time is UTC. Zone parsing is lenient: Z, X, XX and XXX all
 * accept `Z`, `+hh`, `+hhmm` and `+hh:mm`, because vendors are not consistent about it.
 */

/** Parses one timestamp string to epoch milliseconds, or undefined when it does not fit the format. */
export type TimestampParser = (value: string) => number | undefined;

type Part = "year" | "month" | "day" | "hour" | "minute" | "second" | "fraction" | "zone";

const LETTERS: Record<string, { part: Part; re: (n: number) => string }> = {
  y: { part: "year", re: (n) => (n === 4 ? "(\\d{4})" : "") },
  M: { part: "month", re: (n) => (n <= 2 ? "(\\d{1,2})" : "") },
  d: { part: "day", re: (n) => (n <= 2 ? "(\\d{1,2})" : "") },
  H: { part: "hour", re: (n) => (n <= 2 ? "(\\d{1,2})" : "") },
  m: { part: "minute", re: (n) => (n <= 2 ? "(\\d{1,2})" : "") },
  s: { part: "second", re: (n) => (n <= 2 ? "(\\d{1,2})" : "") },
  S: { part: "fraction", re: (n) => (n <= 9 ? "(\\d{1,9})" : "") },
  Z: { part: "zone", re: (n) => (n === 1 ? ZONE : "") },
  X: { part: "zone", re: (n) => (n <= 3 ? ZONE : "") },
};
const ZONE = "(Z|[+-]\\d{2}(?::?\\d{2})?)";

/** Compiles a SimpleDateFormat pattern; returns a string explaining why when the pattern is unsupported. */
export function compileTimestampFormat(format: string): TimestampParser | string {
  const parts: Part[] = [];
  let re = "^";
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) return "an unterminated quote";
      re += end === i + 1 ? "'" : escapeRegExp(format.slice(i + 1, end));
      i = end + 1;
    } else if (/[a-zA-Z]/.test(c)) {
      let n = 1;
      while (format[i + n] === c) n++;
      const spec = LETTERS[c];
      const piece = spec?.re(n) ?? "";
      if (!spec || piece === "") return `the pattern letters "${c.repeat(n)}" are not supported`;
      if (parts.includes(spec.part)) return `"${c}" appears twice`;
      parts.push(spec.part);
      re += piece;
      i += n;
    } else {
      re += escapeRegExp(c);
      i++;
    }
  }
  for (const required of ["year", "month", "day"] as const) {
    if (!parts.includes(required)) return "a format needs yyyy, MM and dd";
  }
  const regex = new RegExp(re + "$");
  return (value) => parseWith(regex, parts, value.trim());
}

function parseWith(regex: RegExp, parts: readonly Part[], value: string): number | undefined {
  const m = regex.exec(value);
  if (!m) return undefined;
  const got: Partial<Record<Part, string>> = {};
  for (let i = 0; i < parts.length; i++) {
    const v = m[i + 1];
    if (v !== undefined) got[parts[i]!] = v;
  }
  const num = (p: Part) => (got[p] === undefined ? 0 : Number(got[p]));
  const year = num("year");
  const month = num("month");
  const day = num("day");
  const hour = num("hour");
  const minute = num("minute");
  const second = num("second");
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const ms = got.fraction === undefined ? 0 : Math.floor(Number(`0.${got.fraction}`) * 1000);
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March; a calendar date that moved is not a date.
  if (new Date(t).getUTCDate() !== day) return undefined;
  return t - zoneOffsetMs(got.zone);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
