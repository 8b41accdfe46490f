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
  // Group number of each part (0 = absent), so parsing allocates nothing but the match.
  const at = (p: Part) => parts.indexOf(p) + 1;
  const groups: Groups = [
    at("year"),
    at("month"),
    at("day"),
    at("hour"),
    at("minute"),
    at("second"),
    at("fraction"),
    at("zone"),
  ];
  return (value) => parseWith(regex, groups, value.trim());
}

type Groups = readonly [number, number, number, number, number, number, number, number];

function parseWith(regex: RegExp, g: Groups, value: string): number | undefined {
  const m = regex.exec(value);
  if (!m) return undefined;
  const year = Number(m[g[0]]);
  const month = Number(m[g[1]]);
  const day = Number(m[g[2]]);
  const hour = g[3] ? Number(m[g[3]]) : 0;
  const minute = g[4] ? Number(m[g[4]]) : 0;
  const second = g[5] ? Number(m[g[5]]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const fraction = g[6] ? m[g[6]] : undefined;
  const ms =
    fraction === undefined
      ? 0
      : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, "0"));
  // Date.UTC would roll 31 February over into March; that is not a date.
  if (day > daysInMonth(year, month)) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return t - zoneOffsetMs(g[7] ? m[g[7]] : undefined);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS[month - 1]!;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === "Z" || zone === "+0000") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
