import {
  ConnectorError,
  exponentialDelay,
  isConnectorError,
  parseCsvPage,
  sanitizeVendorText,
  type Timer,
} from "../sdk/index.ts";
import { parseSfDateTime, restDateTime, type SalesforceApi } from "./query.ts";

/** How a Bulk API 2.0 query job ended. */
type BulkOutcome = "JobComplete" | "Failed" | "Aborted";

/** Creates a `queryAll` job (deleted rows too) for `soql`, CSV results; returns the job id. */
export async function createBulkJob(api: SalesforceApi, soql: string): Promise<string> {
  const res = await api.post("jobs/query", {
    operation: "queryAll",
    query: soql,
    contentType: "CSV",
    columnDelimiter: "COMMA",
    lineEnding: "LF",
  });
  const id = (res.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") throw new ConnectorError("bug", "Bulk API 2.0 job created without an id");
  return id;
}

/**
 * Polls a job until it ends, backing off from 0.5 s to 30 s between polls; past `maxWaitMs` the job is
 * aborted and the wait fails transient (the read re-creates it on the next attempt).
 */
export async function waitBulkJob(
  api: SalesforceApi,
  id: string,
  timer: Timer,
  maxWaitMs: number,
): Promise<{ outcome: BulkOutcome; message: string }> {
  const started = timer.now();
  for (let polls = 1; ; polls++) {
    const body = (await api.get(`jobs/query/${id}`)).body as { state?: string; errorMessage?: string };
    const state = body?.state;
    if (state === "JobComplete" || state === "Failed" || state === "Aborted") {
      // Quoted in our errors, which reach API callers: sanitized.
      return { outcome: state, message: sanitizeVendorText(String(body.errorMessage ?? "")) };
    }
    if (timer.now() - started > maxWaitMs) {
      await abandonBulkJob(api, id);
      throw new ConnectorError(
        "transient",
        `Bulk API 2.0 job ${id} still ${sanitizeVendorText(String(state), 40)} after ${maxWaitMs} ms`,
      );
    }
    await timer.sleep(exponentialDelay(polls, 500, 30_000));
  }
}

/** One page of results: rows typed like REST rows, and the next locator ("" at the end). */
interface BulkPage {
  readonly rows: Record<string, unknown>[];
  readonly next: string;
  /** Size of the CSV chunk as received. */
  readonly bytes: number;
}

/** GETs one page of a completed job's CSV results; undefined when the job no longer exists. */
export async function fetchBulkResults(
  api: SalesforceApi,
  id: string,
  locator: string,
  maxRecords: number,
  types: ReadonlyMap<string, string>,
): Promise<BulkPage | undefined> {
  let res: Awaited<ReturnType<SalesforceApi["get"]>>;
  try {
    res = await api.get(`jobs/query/${id}/results`, {
      maxRecords,
      ...(locator === "" ? {} : { locator }),
    });
  } catch (e) {
    if (isConnectorError(e) && e.status === 404) return undefined; // deleted (7 days) or never ours
    throw e;
  }
  const next = res.headers["sforce-locator"];
  if (next === undefined) {
    throw new ConnectorError("transient", `Bulk results of job ${id} came without Sforce-Locator`);
  }
  const { header, rows } = parseCsvPage(res.text, { emptyIsNull: true }); // empty cells mean null
  const expected = res.headers["sforce-numberofrecords"];
  if (expected !== undefined && Number(expected) !== rows.length) {
    throw new ConnectorError("transient", `Bulk results: ${rows.length} rows, header says ${expected}`);
  }
  return { rows: typedRows(header, rows, types), next: next === "null" ? "" : next, bytes: res.bytes };
}

/** Deletes a job; failures are ignored (Salesforce deletes finished jobs after 7 days anyway). */
export async function abandonBulkJob(api: SalesforceApi, id: string): Promise<void> {
  try {
    await api.delete(`jobs/query/${id}`);
  } catch {
    // best effort
  }
}

type Kind = 0 | 1 | 2 | 3; // text, boolean, number, datetime

function kindOf(type: string | undefined): Kind {
  if (type === "boolean") return 1;
  if (type === "double" || type === "currency" || type === "percent" || type === "int" || type === "long")
    return 2;
  return type === "datetime" ? 3 : 0;
}

/** Gives CSV cells the types REST would (booleans, numbers, `…+0000` datetimes); empty cells are null. */
function typedRows(
  header: readonly string[],
  rows: readonly (readonly (string | null)[])[],
  types: ReadonlyMap<string, string>,
): Record<string, unknown>[] {
  const kinds = header.map((h) => kindOf(types.get(h)));
  const out: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const cells = rows[r]!;
    const o: Record<string, unknown> = {};
    for (let k = 0; k < header.length; k++) {
      const v = cells[k] ?? null;
      o[header[k]!] = v === null || v === "" ? null : convert(v, kinds[k]!);
    }
    out[r] = o;
  }
  return out;
}

function convert(v: string, kind: Kind): unknown {
  switch (kind) {
    case 1:
      return v === "true";
    case 2: {
      const x = Number(v);
      return Number.isNaN(x) ? v : x;
    }
    case 3: {
      // Bulk writes `2024-07-24T14:05:58.000Z`; REST `…000+0000`.
      if (v.length === 24 && v.charCodeAt(23) === 90 /* Z */) return `${v.slice(0, 23)}+0000`;
      const t = parseSfDateTime(v);
      return t === undefined ? v : restDateTime(t);
    }
    default:
      return v;
  }
}
