import type { ClassifyHook } from "./classify.ts";
import { ConnectorError } from "./connector-error.ts";
import type { ConnectorOptions, ConnectorSpec } from "./define-connector.ts";
import { type AuthStrategy, HttpClient, type HttpClientOptions } from "./http-client.ts";
import { intervalBudget, type RateBudget } from "./rate-budget.ts";
import { systemTimer, type Timer } from "./timer.ts";
import type { ConnectorProfileConfig } from "./types.ts";

/** What a connector adds, when it opens on one instance, to what its spec says. */
interface VendorHooks<A extends AuthStrategy> {
  /** The credentials of the API client; `tokenHttp` talks to the vendor's token endpoint. */
  readonly auth: (tokenHttp: HttpClient) => A;
  /** Classifies answers before the spec's error table (Marketo's 200 + success:false, Salesforce's codes). */
  readonly classify?: ClassifyHook;
  /** Wraps the API client's budget (Salesforce's quota guard); gets the caller's or the spec's pacing. */
  readonly budget?: (paced: RateBudget | undefined) => RateBudget;
}

/** The two clients of an open connector: the API's and the token endpoint's (one shared undici Agent). */
export interface VendorHttp<A extends AuthStrategy> {
  readonly http: HttpClient;
  readonly auth: A;
  readonly tokenHttp: HttpClient;
  readonly timer: Timer;
  close(): Promise<void>;
}

/** The spec's base URL with the profile's instance URL filled in. */
function baseUrlOf(spec: Pick<ConnectorSpec, "baseUrl">, profile: ConnectorProfileConfig): string {
  return spec.baseUrl.replaceAll("{instanceUrl}", profile.instanceUrl);
}

/**
 * The one place where a connector's HTTP clients are built from its spec: credentials of a kind the spec
 * accepts, the base URL template, the error table and a connector's classify hook, the retry policy (the
 * spec's, overridden by the caller's), pacing (the caller's budget, else the spec's rate; the token endpoint
 * only when the spec meters it), the profile's vendor policy, and the caller's timer, timeouts and jitter.
 */
export function openVendorHttp<A extends AuthStrategy>(
  spec: ConnectorSpec,
  profile: ConnectorProfileConfig,
  options: ConnectorOptions,
  hooks: (timer: Timer) => VendorHooks<A>,
): VendorHttp<A> {
  const kind = profile.credentials.kind;
  if (!spec.authKinds.includes(kind)) {
    throw new ConnectorError(
      "config",
      `${spec.displayName} does not accept ${kind} credentials (it accepts ${spec.authKinds.join(", ")})`,
    );
  }
  const timer = options.timer ?? systemTimer;
  const h = hooks(timer);
  const retry = { ...spec.retry, ...options.retry };
  const common: HttpClientOptions = {
    baseUrl: baseUrlOf(spec, profile),
    timer,
    errorRules: spec.errors,
    userAgent: `profileflow-${spec.id}`,
    ...(profile.policy ? { policy: profile.policy } : {}),
    ...(h.classify ? { classify: h.classify } : {}),
    ...(Object.keys(retry).length > 0 ? { retry } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
  const pacing = spec.pacing ?? {};
  const tokenBudget = pacing.meterTokenEndpoint ? options.rateBudget : undefined;
  const tokenHttp = new HttpClient({ ...common, ...(tokenBudget ? { rateBudget: tokenBudget } : {}) });
  const paced =
    options.rateBudget ??
    (pacing.requestsPerSecond === undefined ? undefined : intervalBudget(pacing.requestsPerSecond, timer));
  const budget = h.budget ? h.budget(paced) : paced;
  const auth = h.auth(tokenHttp);
  const http = new HttpClient({
    ...common,
    dispatcher: tokenHttp.dispatcher,
    auth,
    ...(budget ? { rateBudget: budget } : {}),
  });
  return {
    http,
    auth,
    tokenHttp,
    timer,
    close: async () => {
      await http.close();
      await tokenHttp.close();
    },
  };
}
