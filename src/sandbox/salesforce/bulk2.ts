import {
  ByteSink,
  bodyJson,
  json,
  type Reply,
  type SandboxRequest,
  type SandboxWorld,
} from "../core/index.ts";
import { USER_ID } from "./auth.ts";
import { SfError } from "./errors.ts";
import { sfDateTime } from "./fields.ts";
import { type QueryResult, runQuery } from "./query-engine.ts";
import { writeCsvLines } from "./record-render.ts";

interface Job {
  id: string;
  operation: "query" | "queryAll";
  result: QueryResult;
  createdAt: number;
  createdWall: number;
  aborted: boolean;
  apiVersion: number;
  lineEnding: "LF" | "CRLF";
  delimiter: string;
}

const DELIMITERS: Record<string, string> = {
  COMMA: ",",
  TAB: "\t",
  PIPE: "|",
  SEMICOLON: ";",
  CARET: "^",
  BACKQUOTE: "`",
};
/** A job finishes this long after creation, in sandbox OR wall time (a frozen clock must not hang clients). */
const RUN_MS = 600;
const DEFAULT_MAX_RECORDS = 10_000;

/** Bulk API 2.0 query jobs: created from SOQL (a snapshot), complete within a second, CSV results by locator. */
export class Bulk2Jobs {
  readonly #world: SandboxWorld;
  readonly #jobs = new Map<string, Job>();
  #n = 0;
  constructor(world: SandboxWorld) {
    this.#world = world;
  }

  /** Routes `…/jobs/query[/{id}[/results]]`; `rest` is the path after `jobs/query`. */
  handle(req: SandboxRequest, rest: string[], apiVersion: string): Reply {
    const [id, sub] = rest;
    if (!id) {
      if (req.method === "POST") return this.#create(req, apiVersion);
      if (req.method === "GET")
        return json(200, {
          done: true,
          records: [...this.#jobs.values()].map((j) => this.#info(j)),
          nextRecordsUrl: null,
        });
      throw new SfError(
        405,
        "METHOD_NOT_ALLOWED",
        `HTTP Method '${req.method}' not allowed. Allowed are GET,POST`,
      );
    }
    const job = this.#jobs.get(id);
    if (!job) throw new SfError(404, "NOT_FOUND", "The requested resource does not exist");
    if (sub === "results" && req.method === "GET") return this.#results(job, req);
    if (sub) throw new SfError(404, "NOT_FOUND", "The requested resource does not exist");
    if (req.method === "GET") return json(200, this.#info(job));
    if (req.method === "PATCH") {
      const body = bodyJson(req) as { state?: string } | undefined;
      if (body?.state !== "Aborted")
        throw new SfError(400, "INVALIDJOBSTATE", "Invalid job state transition");
      if (this.#state(job) !== "JobComplete") job.aborted = true;
      return json(200, this.#info(job));
    }
    if (req.method === "DELETE") {
      this.#jobs.delete(id);
      return { status: 204 };
    }
    throw new SfError(405, "METHOD_NOT_ALLOWED", `HTTP Method '${req.method}' not allowed.`);
  }

  #create(req: SandboxRequest, apiVersion: string): Reply {
    const body = bodyJson(req) as Record<string, unknown> | undefined;
    const operation = body?.operation;
    if (operation !== "query" && operation !== "queryAll")
      throw new SfError(400, "INVALIDJOB", "Invalid operation: must be query or queryAll");
    if (typeof body?.query !== "string")
      throw new SfError(400, "INVALIDJOB", "Missing required field: query");
    const delimiter = DELIMITERS[String(body.columnDelimiter ?? "COMMA")];
    if (!delimiter)
      throw new SfError(400, "INVALIDJOB", `Invalid column delimiter: ${String(body.columnDelimiter)}`);
    const result = runQuery(this.#world, body.query, operation === "queryAll");
    if (result.count)
      throw new SfError(400, "INVALIDJOB", "Aggregate queries are not supported by Bulk API 2.0");
    const id = `750Sb${String(++this.#n).padStart(10, "0")}AAA`;
    const job: Job = {
      id,
      operation,
      result,
      createdAt: this.#world.clock.now(),
      createdWall: Date.now(),
      aborted: false,
      apiVersion: Number(apiVersion),
      lineEnding: body.lineEnding === "CRLF" ? "CRLF" : "LF",
      delimiter,
    };
    this.#jobs.set(id, job);
    return json(200, this.#info(job));
  }

  #state(job: Job): string {
    if (job.aborted) return "Aborted";
    const elapsed = Math.max(this.#world.clock.now() - job.createdAt, Date.now() - job.createdWall);
    if (elapsed >= RUN_MS) return "JobComplete";
    return elapsed >= RUN_MS / 3 ? "InProgress" : "UploadComplete";
  }

  #info(job: Job) {
    const state = this.#state(job);
    return {
      id: job.id,
      operation: job.operation,
      object: job.result.object,
      createdById: USER_ID,
      createdDate: sfDateTime(job.createdAt),
      systemModstamp: sfDateTime(job.createdAt),
      state,
      concurrencyMode: "Parallel",
      contentType: "CSV",
      apiVersion: job.apiVersion,
      jobType: "V2Query",
      lineEnding: job.lineEnding,
      columnDelimiter: Object.entries(DELIMITERS).find(([, v]) => v === job.delimiter)?.[0] ?? "COMMA",
      numberRecordsProcessed: state === "JobComplete" ? job.result.refs.length : 0,
      retries: 0,
      totalProcessingTime: state === "JobComplete" ? RUN_MS : 0,
    };
  }

  #results(job: Job, req: SandboxRequest): Reply {
    if (this.#state(job) !== "JobComplete")
      throw new SfError(400, "INVALIDJOBSTATE", "Job is not in a state to return results");
    const locator = req.url.searchParams.get("locator");
    const start = locator ? Number(Buffer.from(locator, "base64url").toString("utf8")) : 0;
    if (!Number.isInteger(start) || start < 0 || start > job.result.refs.length)
      throw new SfError(400, "INVALID_LOCATOR", "Invalid locator");
    const max = Math.max(
      1,
      Number(req.url.searchParams.get("maxRecords") ?? DEFAULT_MAX_RECORDS) || DEFAULT_MAX_RECORDS,
    );
    const end = Math.min(job.result.refs.length, start + max);
    const eol = job.lineEnding === "CRLF" ? "\r\n" : "\n";
    const names = job.result.fields.map((f) => f.name);
    const body = new ByteSink((end - start) * 512 + 1024);
    body.write(names.map((n) => `"${n}"`).join(job.delimiter) + eol);
    const { store, refs, fields } = job.result;
    writeCsvLines(body, store, fields, refs, start, end, job.delimiter, eol);
    const next = end < job.result.refs.length ? Buffer.from(String(end)).toString("base64url") : "null";
    return {
      status: 200,
      headers: {
        "content-type": "text/csv",
        "sforce-locator": next,
        "sforce-numberofrecords": String(end - start),
      },
      body: body.toBuffer(),
    };
  }
}
