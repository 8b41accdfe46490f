export { defaultRetryPolicy, fullJitterDelay, type RetryPolicy } from "./backoff.ts";
export { assertFlat, cp } from "./checkpoint.ts";
export {
  type ClassifyHook,
  classifyNetworkError,
  classifyResponse,
  defaultErrorRules,
  type ErrorRule,
  type ResponseFacts,
  vendorMessage,
} from "./classify.ts";
export {
  ConnectorError,
  type ConnectorErrorClass,
  type ConnectorErrorInfo,
  isConnectorError,
} from "./connector-error.ts";
export {
  type ConnectorOptions,
  type ConnectorSpec,
  defineConnector,
  type ObjectSpec,
  type PagingStyle,
} from "./define-connector.ts";
export { HostAllowList, parseHostPattern } from "./host-allow-list.ts";
export {
  type AuthStrategy,
  defaultTimeouts,
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type HttpTimeouts,
} from "./http-client.ts";
export {
  basicAuth,
  OAuthTokenSource,
  type OAuthTokenSourceOptions,
  type TokenResponse,
} from "./oauth-token-source.ts";
export { intervalBudget, type RateBudget, unlimitedBudget } from "./rate-budget.ts";
export { parseHttpDate, parseRetryAfter } from "./retry-after.ts";
export { SeenSet } from "./seen-set.ts";
export { FakeTimer, systemTimer, type Timer } from "./timer.ts";
export type * from "./types.ts";
export { isWindowRead } from "./types.ts";
export {
  defaultMaxErrorBodyBytes,
  defaultMaxResponseBytes,
  type VendorPolicy,
  vendorPolicy,
} from "./vendor-policy.ts";
export { maxVendorReasonChars, sanitizeVendorCode, sanitizeVendorText } from "./vendor-text.ts";
