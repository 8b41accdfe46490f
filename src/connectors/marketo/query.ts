import { ConnectorError, type HttpClient } from "../sdk/index.ts";
import { changeFieldNames, leadFieldNames, marketoLimits } from "./spec.ts";

/** The `result`, `nextPageToken` and `moreResult` of a successful Marketo envelope. */
interface Envelope {
  readonly result: readonly Record<string, unknown>[];
  readonly nextPageToken: string | undefined;
  readonly moreResult: boolean;
}

/** GETs a REST path and unwraps the envelope (failures were classified by the client already). */
export async function getEnvelope(
  http: HttpClient,
  path: string,
  query: Record<string, string | number | undefined>,
): Promise<Envelope> {
  const res = await http.request({ path, query });
  const body = res.body as Record<string, unknown> | undefined;
  if (!body || body["success"] !== true) {
    throw new ConnectorError("transient", `${path}: answer without success:true`, { status: res.status });
  }
  const result = Array.isArray(body["result"]) ? (body["result"] as Record<string, unknown>[]) : [];
  const token = body["nextPageToken"];
  return {
    result,
    nextPageToken: typeof token === "string" && token !== "" ? token : undefined,
    moreResult: body["moreResult"] === true,
  };
}

/** Marketo datetimes in requests: ISO-8601 UTC, whole seconds, no milliseconds. */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Parses `…Z`, `…+0000` or `…-08:00` Marketo datetimes to epoch ms; undefined when malformed. */
export function parseMarketoTime(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/.exec(v.trim());
  if (!m) return undefined;
  const zone = m[2] === "Z" ? "Z" : `${m[2]!.slice(0, 3)}:${m[2]!.slice(-2)}`;
  const t = Date.parse(`${m[1]}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

/** A paging token positioned at `since` (second resolution: earlier activities of that second come too). */
export async function pagingToken(http: HttpClient, since: number): Promise<string> {
  const env = await getEnvelope(http, "/rest/v1/activities/pagingtoken.json", {
    sinceDatetime: isoSeconds(since),
  });
  if (!env.nextPageToken)
    throw new ConnectorError("transient", "pagingtoken.json answered without nextPageToken");
  return env.nextPageToken;
}

/** One activities page; `nextPageToken` is always present, only `moreResult:false` ends the stream. */
export async function activitiesPage(
  http: HttpClient,
  kind: "leadchanges" | "deletedleads",
  token: string,
  batchSize: number,
): Promise<{ activities: readonly Record<string, unknown>[]; next: string; more: boolean }> {
  const env = await getEnvelope(http, `/rest/v1/activities/${kind}.json`, {
    nextPageToken: token,
    batchSize,
    ...(kind === "leadchanges" ? { fields: changeFieldNames.join(",") } : {}),
  });
  return { activities: env.result, next: env.nextPageToken ?? token, more: env.moreResult };
}

/** The current leads with these ids (≤ 300 per call; deleted leads are simply absent). */
export async function leadsById(
  http: HttpClient,
  ids: readonly string[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += marketoLimits.batchSize) {
    const batch = ids.slice(i, i + marketoLimits.batchSize);
    let token: string | undefined;
    do {
      const env = await getEnvelope(http, "/rest/v1/leads.json", {
        filterType: "id",
        filterValues: batch.join(","),
        fields: leadFieldNames.join(","),
        batchSize: marketoLimits.batchSize,
        nextPageToken: token,
      });
      out.push(...env.result);
      token = env.moreResult ? env.nextPageToken : undefined;
    } while (token !== undefined);
  }
  return out;
}
