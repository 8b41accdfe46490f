import type { ConnectorError, ConnectorErrorClass } from "./connector-error.ts";
import type { VendorPolicy } from "./vendor-policy.ts";

/** Credentials of one source instance; each connector accepts the kinds its spec lists. */
export type ConnectorCredentials =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | {
      readonly kind: "oauth_password";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly username: string;
      readonly password: string;
      readonly refreshToken?: string;
    }
  | {
      readonly kind: "oauth_refresh";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly refreshToken: string;
    }
  | { readonly kind: "oauth_client_credentials"; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly kind: "oauth_jwt";
      readonly clientId: string;
      readonly username: string;
      readonly privateKeyPem: string;
      readonly audience?: string;
    }
  | { readonly kind: "api_token"; readonly email: string; readonly token: string }
  | { readonly kind: "bearer"; readonly accessToken: string };

export type AuthKind = ConnectorCredentials["kind"];

/** A saved connection to one source instance: where it is and how to log in. */
export interface ConnectorProfileConfig {
  /** e.g. `https://acme.service-now.com` (or a sandbox URL). */
  readonly instanceUrl: string;
  readonly credentials: ConnectorCredentials;
  /** Hosts the credentials may go to and body caps, enforced by every request of the connector. */
  readonly policy?: VendorPolicy;
}

/** A flat, JSON-primitive checkpoint: what lets an interrupted read resume. Opaque to callers. */
export type FlatCheckpoint = Readonly<Record<string, string | number | boolean | null>>;

/** One source record as the vendor sent it. */
export interface RawRecord {
  readonly id: string;
  /** The cursor field (e.g. sys_updated_on) in epoch ms, UTC. */
  readonly sourceTimestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A record deleted at the source. */
export interface DeleteEvent {
  readonly id: string;
  /** When the source says it was deleted, epoch ms. */
  readonly deletedAt: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A record the connector could not make sense of (class `record`): hand it on as a dead letter. */
export interface RejectedRecord {
  readonly id: string | undefined;
  readonly data: unknown;
  readonly error: ConnectorError;
}

/** One page of a read. Save `checkpoint` only after the page is durably handled. */
export interface Page {
  readonly records: readonly RawRecord[];
  readonly deletions: readonly DeleteEvent[];
  readonly rejected: readonly RejectedRecord[];
  readonly checkpoint: FlatCheckpoint;
  /** True only on the last page, after the vendor's end signal. */
  readonly done: boolean;
  /**
   * Bytes of the vendor's answers behind this page, as received; lets the engine count bytes processed
   * without serializing every record again. Absent: the engine measures the records' JSON.
   */
  readonly bytes?: number;
}

/** A half-open UTC window `[from, to)` in epoch ms. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** Read one bounded window (backfill). `resume` is the last saved checkpoint of this same read. */
interface WindowReadRequest {
  readonly object: string;
  readonly window: TimeWindow;
  readonly resume?: FlatCheckpoint;
  readonly pageSize?: number;
}

/**
 * Read incrementally: `since` is a start time (first run) or any checkpoint a previous read yielded.
 * An unfinished checkpoint resumes that read; a finished one starts the next run at its watermark
 * minus the object's look-back overlap, up to the vendor's now minus its lag.
 */
interface IncrementalReadRequest {
  readonly object: string;
  readonly since: number | FlatCheckpoint;
  readonly pageSize?: number;
}

export type ReadRequest = WindowReadRequest | IncrementalReadRequest;

/** The outcome of a connection test: `Connected`, or the class and a precise reason. */
export type ConnectionTestResult =
  | { readonly status: "Connected" }
  | { readonly status: "Failed"; readonly class: ConnectorErrorClass; readonly reason: string };

/** A field of a source object. */
export interface FieldDescription {
  readonly name: string;
  readonly label?: string;
  /** The vendor's type name (ServiceNow internal_type, Salesforce type, ...). */
  readonly type: string;
}

/** A readable source object. */
export interface ObjectDescription {
  readonly name: string;
  readonly label: string;
  readonly cursorField: string;
  readonly idField: string;
  readonly fields?: readonly FieldDescription[];
}

/** A live connector bound to one instance. */
export interface Connector {
  testConnection(): Promise<ConnectionTestResult>;
  listObjects(): Promise<readonly ObjectDescription[]>;
  /** The object with its fields. */
  describeObject(name: string): Promise<ObjectDescription>;
  /** Pages of records, deletions and rejects, each with a checkpoint to resume from. */
  read(request: ReadRequest): AsyncIterable<Page>;
  /** Releases sockets. */
  close(): Promise<void>;
}

/** True when the request is a bounded window read. */
export function isWindowRead(r: ReadRequest): r is WindowReadRequest {
  return "window" in r;
}
