import type { RetryPolicy } from "./backoff.ts";
import type { ErrorRule } from "./classify.ts";
import type { HttpTimeouts } from "./http-client.ts";
import type { RateBudget } from "./rate-budget.ts";
import type { Timer } from "./timer.ts";
import type { AuthKind, Connector, ConnectorProfileConfig } from "./types.ts";

/** Reading rules for one source object. */
export interface ObjectSpec {
  readonly label: string;
  readonly cursorField: string;
  readonly idField: string;
  /** Largest window one read may cover (ms); the flow planner splits larger ones. */
  readonly maxWindowMs?: number;
  /** Incremental reads restart this far before the last watermark (late-visible records). */
  readonly lookbackMs: number;
  /** Incremental reads stop this far before the vendor's now (uncommitted records). */
  readonly lagMs: number;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Knobs a caller may set when opening a connector. */
export interface ConnectorOptions {
  readonly timer?: Timer;
  readonly rateBudget?: RateBudget;
  /** Persist a rotated refresh token (the old one may already be dead). */
  readonly onRefreshToken?: (refreshToken: string) => void | Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly random?: () => number;
}

/** How a connector paces its requests (openVendorHttp reads it). */
interface PacingSpec {
  /** Requests a second of the API client when the caller passes no RateBudget; absent = unpaced. */
  readonly requestsPerSecond?: number;
  /** The caller's RateBudget also paces the token endpoint (it counts against the same vendor limit). */
  readonly meterTokenEndpoint?: boolean;
}

/**
 * A connector as data plus small hooks. `openVendorHttp` builds every HTTP client of a connector from this
 * data: `authKinds` (checked), `baseUrl`, `errors`, `retry`, `pacing`, and the user agent from `id`.
 */
export interface ConnectorSpec<O extends string = string> {
  readonly id: string;
  readonly displayName: string;
  readonly authKinds: readonly AuthKind[];
  /** Base URL template; `{instanceUrl}` is the profile's URL. */
  readonly baseUrl: string;
  readonly objects: Readonly<Record<O, ObjectSpec>>;
  /** Vendor error table, matched before the HTTP defaults. */
  readonly errors: readonly ErrorRule[];
  /** The connector's own retry policy; a caller's `ConnectorOptions.retry` overrides it field by field. */
  readonly retry?: Partial<RetryPolicy>;
  readonly pacing?: PacingSpec;
  /** Opens a live connector for one instance. */
  readonly open: (profile: ConnectorProfileConfig, options?: ConnectorOptions) => Connector;
}

/** Identity function that checks a connector spec's shape and freezes it. */
export function defineConnector<O extends string>(spec: ConnectorSpec<O>): ConnectorSpec<O> {
  if (!spec.baseUrl.includes("{instanceUrl}"))
    throw new Error(`${spec.id}: baseUrl must contain {instanceUrl}`);
  for (const [name, o] of Object.entries<ObjectSpec>(spec.objects)) {
    if (o.defaultPageSize > o.maxPageSize || o.defaultPageSize < 1) {
      throw new Error(`${spec.id}.${name}: defaultPageSize must be within 1..maxPageSize`);
    }
  }
  return Object.freeze(spec);
}
