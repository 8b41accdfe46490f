import { Agent, type Dispatcher, request as undiciRequest } from "undici";
import { defaultRetryPolicy, fullJitterDelay, type RetryPolicy } from "./backoff.ts";
import { hostOf, pathOf, readCapped } from "./capped-body.ts";
import {
  type ClassifyHook,
  classifyNetworkError,
  classifyResponse,
  type ErrorRule,
  type ResponseFacts,
} from "./classify.ts";
import { ConnectorError } from "./connector-error.ts";
import { type RateBudget, unlimitedBudget } from "./rate-budget.ts";
import { parseHttpDate, parseRetryAfter } from "./retry-after.ts";
import type { Timer } from "./timer.ts";
import { type VendorPolicy, vendorPolicy } from "./vendor-policy.ts";

/**
 * Adds credentials to requests; `refresh` (if any) is called once when the source says auth failed,
 * with the headers that were refused so a strategy can skip the refresh if another request already did it.
 */
export interface AuthStrategy {
  headers(): Promise<Record<string, string>>;
  refresh?(refused?: Readonly<Record<string, string>>): Promise<void>;
}

/** Timeouts of the undici Agent, in ms. */
export interface HttpTimeouts {
  readonly connectMs: number;
  readonly headersMs: number;
  readonly bodyMs: number;
}

const defaultTimeouts: HttpTimeouts = { connectMs: 10_000, headersMs: 60_000, bodyMs: 120_000 };

/** Everything an HttpClient needs. */
export interface HttpClientOptions {
  readonly baseUrl: string;
  readonly timer: Timer;
  readonly auth?: AuthStrategy;
  readonly errorRules?: readonly ErrorRule[];
  readonly classify?: ClassifyHook;
  readonly retry?: Partial<RetryPolicy>;
  readonly rateBudget?: RateBudget;
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly random?: () => number;
  /** Share one Agent between clients (token endpoint + API); created (and owned) when absent. */
  readonly dispatcher?: Dispatcher;
  readonly userAgent?: string;
  /** Allowed hosts and body caps; the defaults (any host, 128 MiB / 64 KiB) when absent. */
  readonly policy?: VendorPolicy;
}

/** One request. `path` is absolute or relative to the base URL. */
export interface HttpRequest {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as application/x-www-form-urlencoded. */
  readonly form?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  /** false: send without credentials and never refresh (token endpoints). */
  readonly auth?: boolean;
}

/** A successful answer; `body` is the parsed JSON (undefined for an empty body). */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly body: unknown;
  /** Size of the body as received, in bytes (what a flow counts as processed). */
  readonly bytes: number;
  /** The server's `Date` header, epoch ms. */
  readonly serverDate: number | undefined;
}

/**
 * The one HTTP client of every connector: undici keep-alive Agent with timeouts, a shared rate budget,
 * full-jitter exponential backoff honouring Retry-After, one token refresh on auth failures, and one
 * classification of every failure into a ConnectorError. While a Retry-After is pending no request
 * leaves this client.
 */
export class HttpClient {
  readonly #o: HttpClientOptions;
  readonly #policy: RetryPolicy;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #vendor: VendorPolicy;
  #notBefore = 0;
  #skewMs: number | undefined;

  constructor(options: HttpClientOptions) {
    this.#o = options;
    this.#policy = { ...defaultRetryPolicy, ...options.retry };
    this.#vendor = options.policy ?? vendorPolicy();
    const t = { ...defaultTimeouts, ...options.timeouts };
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 30_000,
        connect: { timeout: t.connectMs },
        headersTimeout: t.headersMs,
        bodyTimeout: t.bodyMs,
      });
  }

  /** The undici dispatcher, to share with a sibling client. */
  get dispatcher(): Dispatcher {
    return this.#dispatcher;
  }

  /** The vendor's idea of now (from its `Date` headers), or our clock before any answer. */
  serverNow(): number {
    return this.#o.timer.now() + (this.#skewMs ?? 0);
  }

  /** True once a `Date` header has been seen. */
  get knowsServerTime(): boolean {
    return this.#skewMs !== undefined;
  }

  /** Sends `req`, retrying as the classification says; resolves with a 2xx answer or throws ConnectorError. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const p = this.#policy;
    const timer = this.#o.timer;
    let failures = 0;
    let rateWaits = 0;
    let quotaWaits = 0;
    let refreshed = false;
    // Before any credential is fetched or sent: a host outside the allow-list is never contacted.
    let target: string;
    try {
      target = this.#url(req);
    } catch (e) {
      throw classifyNetworkError(e, this.#o.baseUrl);
    }
    this.#assertAllowed(target);
    for (;;) {
      await this.#waitTurn();
      // Outside the try: a failing token fetch is already classified and must not trigger a refresh.
      const creds = req.auth === false || !this.#o.auth ? {} : await this.#o.auth.headers();
      let outcome: HttpResponse | ConnectorError;
      try {
        outcome = this.#check(await this.#send(req, creds), req);
      } catch (e) {
        outcome = e instanceof ConnectorError ? e : classifyNetworkError(e, this.#url(req));
      }
      if (!(outcome instanceof ConnectorError)) return outcome;
      const err = outcome;
      switch (err.class) {
        case "auth": {
          const auth = this.#o.auth;
          if (req.auth === false || refreshed || auth?.refresh === undefined) throw err;
          refreshed = true;
          await auth.refresh(creds);
          continue;
        }
        case "transient": {
          failures += 1;
          if (failures >= p.maxAttempts) throw withAttempts(err, failures);
          const wait = err.retryAfterMs ?? fullJitterDelay(failures, p, this.#o.random);
          this.#pause(wait);
          continue;
        }
        case "rate_limited": {
          rateWaits += 1;
          const wait = err.retryAfterMs ?? fullJitterDelay(rateWaits, p, this.#o.random);
          if (wait > p.maxInlineWaitMs) {
            throw new ConnectorError(
              "quota_exhausted",
              `${err.message}; retry after ${Math.ceil(wait / 1000)} s`,
              {
                ...(err.status === undefined ? {} : { status: err.status }),
                resetAt: timer.now() + wait,
                retryAfterMs: wait,
                cause: err,
              },
            );
          }
          if (rateWaits > p.maxRateLimitedWaits) throw err;
          this.#pause(wait);
          continue;
        }
        case "quota_exhausted": {
          const wait = err.resetAt === undefined ? undefined : err.resetAt - timer.now();
          quotaWaits += 1;
          if (wait === undefined || wait > p.maxInlineWaitMs || quotaWaits > 3) throw err;
          this.#pause(wait);
          continue;
        }
        default:
          throw err;
      }
    }
  }

  /** Closes the Agent if this client created it. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #pause(ms: number): void {
    this.#notBefore = Math.max(this.#notBefore, this.#o.timer.now() + Math.max(0, ms));
  }

  async #waitTurn(): Promise<void> {
    // Loop: a concurrent request may push #notBefore further while we sleep.
    for (let d = this.#notBefore - this.#o.timer.now(); d > 0; d = this.#notBefore - this.#o.timer.now()) {
      await this.#o.timer.sleep(d);
    }
    await (this.#o.rateBudget ?? unlimitedBudget).acquire();
  }

  #url(req: HttpRequest): string {
    const u = new URL(req.path, this.#o.baseUrl.endsWith("/") ? this.#o.baseUrl : `${this.#o.baseUrl}/`);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async #send(req: HttpRequest, creds: Record<string, string>): Promise<HttpResponse> {
    const url = this.#url(req);
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    if (this.#o.userAgent) headers["user-agent"] = this.#o.userAgent;
    Object.assign(headers, creds);
    let body: string | undefined;
    if (req.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form as Record<string, string>).toString();
    } else if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    }
    const r = await undiciRequest(url, {
      method: req.method ?? "GET",
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#dispatcher,
    });
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers))
      if (v !== undefined) h[k] = Array.isArray(v) ? v.join(", ") : v;
    const serverDate = parseHttpDate(h["date"]);
    if (serverDate !== undefined) this.#skewMs = serverDate - this.#o.timer.now();
    const { text, bytes } = await readCapped(r, h, url, this.#vendor);
    return { status: r.statusCode, headers: h, text, body: undefined, bytes, serverDate };
  }

  #assertAllowed(url: string): void {
    const parsed = new URL(url);
    if (!this.#vendor.hosts.allows(parsed)) {
      throw new ConnectorError(
        "config",
        `${parsed.host} is not an allowed vendor host (setting vendorHosts); nothing was sent to it`,
        { vendorCode: "HOST_NOT_ALLOWED" },
      );
    }
  }

  /** Returns the answer with its parsed body when usable, else the classified error. */
  #check(res: HttpResponse, req: HttpRequest): HttpResponse | ConnectorError {
    const facts: ResponseFacts = {
      status: res.status,
      headers: res.headers,
      text: res.text,
      url: this.#url(req),
    };
    const hooked = this.#o.classify?.(facts);
    if (hooked) {
      this.#logRefused(res, facts.url, hooked);
      return this.#withRetryAfter(hooked, res);
    }
    if (res.status >= 200 && res.status < 300) {
      // CSV (Salesforce Bulk 2.0 results, Marketo bulk files) is the caller's to parse; a cut CSV body
      // shows up as a content-length mismatch at the socket, already classified transient.
      if (res.text.trim() === "" || /^text\/csv/i.test(res.headers["content-type"] ?? "")) return res;
      try {
        return { ...res, body: JSON.parse(res.text) as unknown };
      } catch (e) {
        // A 2xx that does not parse is almost always a body cut short on the wire.
        return new ConnectorError(
          "transient",
          `truncated or malformed JSON body (${res.text.length} bytes)`,
          {
            status: res.status,
            cause: e,
          },
        );
      }
    }
    const err = classifyResponse(facts, this.#o.errorRules ?? []);
    this.#logRefused(res, facts.url, err);
    return this.#withRetryAfter(err, res);
  }

  /** The (capped) body of a refused request goes to the operator's debug log, never into the error. */
  #logRefused(res: HttpResponse, url: string, err: ConnectorError): void {
    this.#vendor.debug?.("vendor refused a request", {
      host: hostOf(url),
      path: pathOf(url),
      status: res.status,
      class: err.class,
      contentType: res.headers["content-type"],
      bytes: res.bytes,
      body: res.text.slice(0, this.#vendor.maxErrorBodyBytes),
    });
  }

  #withRetryAfter(err: ConnectorError, res: HttpResponse): ConnectorError {
    const wait = parseRetryAfter(res.headers["retry-after"], this.#o.timer.now(), res.serverDate);
    if (wait === undefined || err.retryAfterMs !== undefined) return err;
    return new ConnectorError(err.class, err.message, {
      ...(err.status === undefined ? {} : { status: err.status }),
      ...(err.vendorCode === undefined ? {} : { vendorCode: err.vendorCode }),
      ...(err.resetAt === undefined ? {} : { resetAt: err.resetAt }),
      retryAfterMs: wait,
    });
  }
}

function withAttempts(err: ConnectorError, attempts: number): ConnectorError {
  return new ConnectorError(err.class, `${err.message} (gave up after ${attempts} attempts)`, {
    ...(err.status === undefined ? {} : { status: err.status }),
    ...(err.vendorCode === undefined ? {} : { vendorCode: err.vendorCode }),
    cause: err,
  });
}
