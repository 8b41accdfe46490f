import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";
import { closest } from "./closest.ts";

/** Every default in one place; docs/configuration.md repeats this table. */
export const defaults = {
  port: 4590,
  host: "127.0.0.1",
  dataDir: ".profileflow",
  region: "us-east-1",
  accountId: "000000000000",
  logLevel: "info",
  /** How long a clientToken is remembered: AppFlow documents 8 hours. */
  idempotencyTtlSeconds: 8 * 60 * 60,
  /** Hosts connector profiles may name: any, so the local sandboxes work out of the box. */
  vendorHosts: ["*"] as readonly string[],
  /** Largest successful vendor answer read, in bytes (error bodies: 64 KiB, fixed). */
  vendorResponseMaxBytes: 128 * 1024 * 1024,
  /** Regions a signature's credential scope may name besides `region`. */
  signingRegions: [] as readonly string[],
  /** The whole request (headers and body) must arrive within this; a slow body is cut off (408). */
  requestTimeoutMs: 30_000,
  /** The request headers must arrive within this (≤ requestTimeoutMs). */
  headersTimeoutMs: 10_000,
  /** A connection silent this long (no byte either way, mid-request too) is closed. */
  connectionTimeoutMs: 120_000,
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: 72_000,
  /** Open connections at most; further ones are closed on arrival. */
  maxConnections: 1024,
  /** How long one transaction of a flow's page may hold the database (0: each page group whole). */
  commitBudgetMs: 250,
  /** SQLite's page cache, in MiB (its memory; reads past the memory map go through it). */
  sqliteCacheMb: 16,
  /** How much of the SQLite file is read through a memory map, in MiB (0: none; SQLite's ceiling is 2047). */
  sqliteMmapMb: 256,
  /** Who checkpoints SQLite's WAL: a thread of its own ("thread") or the committing connection ("inline"). */
  sqliteCheckpoint: "thread",
  /**
   * Seal and blind-index a backfill's next records on a worker thread while the current ones are written
   * ("auto": on PostgreSQL only, where it pays; docs/configuration.md).
   */
  sealAhead: "auto",
} as const;

const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** `host[:port]` with `*` and `*.` wildcards (see connectors/sdk/host-allow-list.ts). */
const vendorHostPattern = /^(\*|(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(:(\*|\d{1,5}))?$/i;

/**
 * A whole number in [min, max], given as a number (flags, the config file) or as decimal digits (the
 * environment). Not z.coerce: it takes "", " ", null, false and [] as 0 and "0x10" as 16.
 */
const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : v),
    // The range first, so that "-1" or a huge number names the bound, not the type.
    z
      .number({ error: (issue) => (issue.code === "invalid_type" ? "must be a whole number" : undefined) })
      .min(min)
      .max(max)
      .int({ error: "must be a whole number" }),
  );

const schema = z
  .object({
    port: wholeNumber(0, 65535).default(defaults.port),
    host: z.string().min(1).default(defaults.host),
    dataDir: z.string().min(1).default(defaults.dataDir),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    region: z
      .string()
      .regex(regionPattern, "must look like an AWS region, e.g. us-east-1")
      .default(defaults.region),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "must be 12 digits")
      .default(defaults.accountId),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default(defaults.logLevel),
    accessKeyId: z
      .string()
      .regex(/^[A-Za-z0-9]{16,128}$/, "must be 16-128 letters and digits")
      .optional(),
    secretAccessKey: z.string().min(1).optional(),
    masterKey: z.string().min(1).optional(),
    idempotencyTtlSeconds: wholeNumber(60, 7 * 24 * 60 * 60).default(defaults.idempotencyTtlSeconds),
    vendorHosts: z
      .preprocess(
        (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter((x) => x !== "") : v),
        z.array(
          z
            .string()
            .regex(vendorHostPattern, "must be host[:port] patterns, e.g. *.my.salesforce.com,127.0.0.1:*")
            .refine((p) => Number(/:(\d+)$/.exec(p)?.[1] ?? 0) <= 65535, "port above 65535"),
        ),
      )
      .default([...defaults.vendorHosts]),
    vendorResponseMaxBytes: wholeNumber(64 * 1024, 2 ** 31 - 1).default(defaults.vendorResponseMaxBytes),
    signingRegions: z
      .preprocess(
        (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter((x) => x !== "") : v),
        z.array(z.string().regex(regionPattern, "must be AWS regions, e.g. us-east-1,eu-west-1")),
      )
      .default([...defaults.signingRegions]),
    requestTimeoutMs: wholeNumber(1, 3_600_000).default(defaults.requestTimeoutMs),
    headersTimeoutMs: wholeNumber(1, 3_600_000).default(defaults.headersTimeoutMs),
    connectionTimeoutMs: wholeNumber(1, 3_600_000).default(defaults.connectionTimeoutMs),
    keepAliveTimeoutMs: wholeNumber(1, 3_600_000).default(defaults.keepAliveTimeoutMs),
    maxConnections: wholeNumber(1, 1_000_000).default(defaults.maxConnections),
    commitBudgetMs: wholeNumber(0, 60_000).default(defaults.commitBudgetMs),
    sqliteCacheMb: wholeNumber(2, 65_536).default(defaults.sqliteCacheMb),
    sqliteMmapMb: wholeNumber(0, 2047).default(defaults.sqliteMmapMb),
    sqliteCheckpoint: z
      .enum(["thread", "inline"], { error: "must be thread or inline" })
      .default(defaults.sqliteCheckpoint),
    sealAhead: z
      .enum(["auto", "on", "off"], { error: "must be auto, on or off" })
      .default(defaults.sealAhead),
  })
  .strict()
  .refine((c) => c.headersTimeoutMs <= c.requestTimeoutMs, {
    message: "must not exceed requestTimeoutMs",
    path: ["headersTimeoutMs"],
  });

export type Config = Readonly<z.infer<typeof schema>>;
export type ConfigInput = z.input<typeof schema>;

/** Environment variable → config key. Nothing else in the codebase reads process.env. */
export const envKeys: Record<string, keyof ConfigInput> = {
  PROFILEFLOW_PORT: "port",
  PROFILEFLOW_HOST: "host",
  PROFILEFLOW_DATA_DIR: "dataDir",
  DATABASE_URL: "databaseUrl",
  PROFILEFLOW_REGION: "region",
  PROFILEFLOW_ACCOUNT_ID: "accountId",
  PROFILEFLOW_LOG_LEVEL: "logLevel",
  PROFILEFLOW_ACCESS_KEY_ID: "accessKeyId",
  PROFILEFLOW_SECRET_ACCESS_KEY: "secretAccessKey",
  PROFILEFLOW_MASTER_KEY: "masterKey",
  PROFILEFLOW_IDEMPOTENCY_TTL_SECONDS: "idempotencyTtlSeconds",
  PROFILEFLOW_VENDOR_HOSTS: "vendorHosts",
  PROFILEFLOW_VENDOR_RESPONSE_MAX_BYTES: "vendorResponseMaxBytes",
  PROFILEFLOW_SIGNING_REGIONS: "signingRegions",
  PROFILEFLOW_REQUEST_TIMEOUT_MS: "requestTimeoutMs",
  PROFILEFLOW_HEADERS_TIMEOUT_MS: "headersTimeoutMs",
  PROFILEFLOW_CONNECTION_TIMEOUT_MS: "connectionTimeoutMs",
  PROFILEFLOW_KEEP_ALIVE_TIMEOUT_MS: "keepAliveTimeoutMs",
  PROFILEFLOW_MAX_CONNECTIONS: "maxConnections",
  PROFILEFLOW_COMMIT_BUDGET_MS: "commitBudgetMs",
  PROFILEFLOW_SQLITE_CACHE_MB: "sqliteCacheMb",
  PROFILEFLOW_SQLITE_MMAP_MB: "sqliteMmapMb",
  PROFILEFLOW_SQLITE_CHECKPOINT: "sqliteCheckpoint",
  PROFILEFLOW_SEAL_AHEAD: "sealAhead",
};
const fileOnlyEnv = new Set(["PROFILEFLOW_CONFIG"]);

export interface ConfigSources {
  /** Values from command-line flags (highest precedence). */
  flags?: Partial<Record<keyof ConfigInput, unknown>>;
  /** The environment; only PROFILEFLOW_* and DATABASE_URL are read. */
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; defaults to $PROFILEFLOW_CONFIG. */
  file?: string | undefined;
}

/** Parses the configuration once: defaults < file < env < flags. Unknown keys fail fast with a suggestion. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const merged: Record<string, unknown> = {};
  const filePath = sources.file ?? env["PROFILEFLOW_CONFIG"];
  if (filePath) Object.assign(merged, readConfigFile(filePath));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("PROFILEFLOW_") && name !== "DATABASE_URL") continue;
    // PROFILEFLOW_TEST_* belong to the test suite (which database to test on), not to the server.
    if (name.startsWith("PROFILEFLOW_TEST_")) continue;
    if (fileOnlyEnv.has(name) || value === undefined || value === "") continue;
    const key = envKeys[name];
    if (!key) {
      const hint = closest(name, [...Object.keys(envKeys), ...fileOnlyEnv]);
      throw configError(`unknown environment variable ${name}${hint ? `; did you mean ${hint}?` : ""}`, name);
    }
    merged[key] = value;
  }
  for (const [key, value] of Object.entries(sources.flags ?? {}))
    if (value !== undefined) merged[key] = value;
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      const hint = closest(key, Object.keys(schema.shape));
      throw configError(`unknown config key "${key}"${hint ? `; did you mean "${hint}"?` : ""}`, key);
    }
    const key = issue.path.join(".");
    throw configError(`config ${key}: ${issue.message}`, key);
  }
  const config = { ...result.data, dataDir: resolve(result.data.dataDir) };
  return Object.freeze(config);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw configError(`cannot read config file ${path}: ${(e as Error).message}`, "config");
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch (e) {
    throw configError(`config file ${path} is not a JSON object: ${(e as Error).message}`, "config");
  }
}

function configError(message: string, key: string): ProfileflowError {
  return new ProfileflowError("CONFIG_INVALID", message, { member: key });
}
