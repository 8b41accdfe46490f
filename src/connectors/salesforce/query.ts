import type { HttpClient, HttpResponse } from "../sdk/index.ts";
import type { SalesforceAuth } from "./auth.ts";

/** The REST API of one org: builds URLs on the instance the token names, under one API version. */
export class SalesforceApi {
  readonly http: HttpClient;
  readonly auth: SalesforceAuth;
  readonly version: string;

  constructor(http: HttpClient, auth: SalesforceAuth, version: string) {
    this.http = http;
    this.auth = auth;
    this.version = version;
  }

  /** Absolute URL of `path`: `/services/…` as given (nextRecordsUrl), else under `/services/data/vXX.X/`. */
  async url(path: string): Promise<string> {
    await this.auth.headers(); // the token response names the instance
    const rel = path.startsWith("/services/") ? path : `/services/data/v${this.version}/${path}`;
    return `${this.auth.instanceUrl()}${rel}`;
  }

  /** GET with optional query parameters and headers. */
  async get(
    path: string,
    query?: Record<string, string | number | undefined>,
    headers?: Record<string, string>,
  ): Promise<HttpResponse> {
    return this.http.request({
      path: await this.url(path),
      ...(query ? { query } : {}),
      ...(headers ? { headers } : {}),
    });
  }

  /** POST a JSON body. */
  async post(path: string, json: unknown): Promise<HttpResponse> {
    return this.http.request({ method: "POST", path: await this.url(path), json });
  }

  /** DELETE. */
  async delete(path: string): Promise<HttpResponse> {
    return this.http.request({ method: "DELETE", path: await this.url(path) });
  }
}

/** A SOQL datetime literal (UTC; milliseconds only when there are any). */
export function soqlDateTime(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith(".000Z") ? `${s.slice(0, 19)}Z` : s;
}

/** Parses `2024-07-24T14:05:58.000+0000` (REST) or `…Z` (Bulk) to epoch ms; undefined when malformed. */
export function parseSfDateTime(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})$/.exec(v);
  if (!m) return undefined;
  const zone = m[2] === "Z" ? "Z" : `${m[2]!.slice(0, 3)}:${m[2]!.slice(-2)}`;
  const t = Date.parse(`${m[1]}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

/** Renders epoch ms the way REST renders datetimes (`…000+0000`). */
export function restDateTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** A keyset position: the last (SystemModstamp, Id) handed on. */
export interface Keyset {
  readonly at: number;
  readonly after: string;
}

/**
 * SOQL for `[lo, hi)` on SystemModstamp ordered by (SystemModstamp, Id); after a keyset position only rows
 * past it: a later stamp, or the same stamp with a larger Id (the tiebreak for equal-timestamp bursts).
 */
export function windowSoql(
  object: string,
  fields: readonly string[],
  lo: number,
  hi: number,
  pos?: Keyset,
  limit?: number,
): string {
  const c = "SystemModstamp";
  let where = `${c} >= ${soqlDateTime(lo)} AND ${c} < ${soqlDateTime(hi)}`;
  if (pos) {
    const at = soqlDateTime(pos.at);
    where += ` AND (${c} > ${at} OR (${c} = ${at} AND Id > '${pos.after.replace(/'/g, "")}'))`;
  }
  const tail = limit === undefined ? "" : ` LIMIT ${limit}`;
  return `SELECT ${fields.join(", ")} FROM ${object} WHERE ${where} ORDER BY ${c} ASC, Id ASC${tail}`;
}
