/**
 * Which vendor hosts a connector may talk to (setting `vendorHosts`). A pattern is `host[:port]`:
 * `*` is any host on any port; `*.example.com` is any name under example.com (not example.com itself);
 * a port of `*` is any port; no port is the scheme's default port (443 for https, 80 for http).
 * IPv6 addresses are written in brackets (`[::1]:*`). Names are compared as the URL parser writes them
 * (lower case, punycode); no DNS lookup is made, so a name's pattern is only as good as its DNS.
 */
export class HostAllowList {
  readonly #rules: readonly HostRule[];
  readonly patterns: readonly string[];

  private constructor(patterns: readonly string[], rules: readonly HostRule[]) {
    this.patterns = patterns;
    this.#rules = rules;
  }

  /** Every host, every port (the default: the local sandboxes work out of the box). */
  static any(): HostAllowList {
    return new HostAllowList(["*"], [{ host: "*", port: "*" }]);
  }

  /** Parses patterns; throws a TypeError naming the first malformed one. An empty list allows nothing. */
  static parse(patterns: readonly string[]): HostAllowList {
    return new HostAllowList([...patterns], patterns.map(parseHostPattern));
  }

  /** True when every host is allowed. */
  get allowsAny(): boolean {
    return this.#rules.some((r) => r.host === "*" && r.port === "*");
  }

  /** True when `url` (absolute) names an allowed host and port. */
  allows(url: string | URL): boolean {
    let u: URL;
    try {
      u = typeof url === "string" ? new URL(url) : url;
    } catch {
      return false;
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") return false;
    const host = u.hostname.toLowerCase();
    // The URL parser drops a port equal to the scheme's default, so "" is the default port.
    const port = u.port === "" ? (u.protocol === "https:" ? "443" : "80") : u.port;
    return this.#rules.some(
      (r) =>
        hostMatches(r.host, host) &&
        (r.port === "*" || (r.port === "default" ? u.port === "" : r.port === port)),
    );
  }
}

interface HostRule {
  /** `*`, `*.suffix` or an exact name / bracketed IPv6 address, lower case. */
  readonly host: string;
  /** Digits, `*`, or `default` (resolved against the URL's scheme). */
  readonly port: string;
}

const patternRe = /^(\*|(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::(\*|\d{1,5}))?$/;

/** One pattern as a rule; throws a TypeError when it is malformed. */
function parseHostPattern(pattern: string): HostRule {
  const p = pattern.trim().toLowerCase();
  const m = patternRe.exec(p);
  if (!m) {
    throw new TypeError(
      `vendor host pattern "${pattern}" is not host[:port] (e.g. *.my.salesforce.com, 127.0.0.1:*, *)`,
    );
  }
  const port = m[2];
  if (port !== undefined && port !== "*" && Number(port) > 65535) {
    throw new TypeError(`vendor host pattern "${pattern}": port above 65535`);
  }
  // `*` alone means every port too; a named host without a port means the scheme's default port.
  return { host: m[1]!, port: port ?? (m[1] === "*" ? "*" : "default") };
}

function hostMatches(rule: string, host: string): boolean {
  if (rule === "*") return true;
  if (rule.startsWith("*.")) return host.endsWith(rule.slice(1)) && host.length > rule.length - 1;
  return rule === host;
}
