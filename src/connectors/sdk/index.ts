export { defaultRetryPolicy, exponentialDelay, fullJitterDelay, retriedOnAuth } from "./backoff.ts";
export { type CheckpointState, checkpointCodec, seenSetField } from "./checkpoint.ts";
export {
  type ClassifyHook,
  classifyNetworkError,
  classifyResponse,
  type ErrorRule,
  type ResponseFacts,
  vendorMessage,
} from "./classify.ts";
export { ConnectorError, type ConnectorErrorClass, isConnectorError } from "./connector-error.ts";
export { type CsvRow, parseCsvChunk, parseCsvPage } from "./csv.ts";
export {
  type ConnectorOptions,
  type ConnectorSpec,
  defineConnector,
  type ObjectSpec,
} from "./define-connector.ts";
export { HostAllowList } from "./host-allow-list.ts";
export {
  type AuthStrategy,
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
} from "./http-client.ts";
export {
  basicAuth,
  bearerAuth,
  clientGrants,
  OAuthTokenSource,
  type TokenResponse,
} from "./oauth-token-source.ts";
export { type RateBudget, unlimitedBudget } from "./rate-budget.ts";
export { pageSizeOf, type ReadStates, runRead, type StepResult, startRead } from "./read-start.ts";
export { parseHttpDate, parseRetryAfter } from "./retry-after.ts";
export { SeenSet } from "./seen-set.ts";
export { checkedObject, objectDescription, objectDescriptions } from "./spec-objects.ts";
export { FakeTimer, systemTimer, type Timer } from "./timer.ts";
export type * from "./types.ts";
export { isWindowRead } from "./types.ts";
export { openVendorHttp, type VendorHttp } from "./vendor-http.ts";
export { type VendorPolicy, vendorPolicy } from "./vendor-policy.ts";
export { sanitizeVendorCode, sanitizeVendorText } from "./vendor-text.ts";
