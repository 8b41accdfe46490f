export {
  defaultRetryPolicy,
  exponentialDelay,
  fullJitterDelay,
  type RetryPolicy,
  retriedOnAuth,
} from "./backoff.ts";
export { type CheckpointCodec, type CheckpointState, checkpointCodec, seenSetField } from "./checkpoint.ts";
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
export { type CsvChunkRows, type CsvDialect, type CsvRow, parseCsvChunk, parseCsvPage } from "./csv.ts";
export {
  type ConnectorOptions,
  type ConnectorSpec,
  defineConnector,
  type ObjectSpec,
  type PacingSpec,
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
export {
  pageSizeOf,
  type ReadStart,
  type ReadStateBase,
  type ReadStates,
  runRead,
  type StepResult,
  startRead,
} from "./read-start.ts";
export { parseHttpDate, parseRetryAfter } from "./retry-after.ts";
export { SeenSet } from "./seen-set.ts";
export { FakeTimer, systemTimer, type Timer } from "./timer.ts";
export type * from "./types.ts";
export { isWindowRead } from "./types.ts";
export { baseUrlOf, openVendorHttp, type VendorHooks, type VendorHttp } from "./vendor-http.ts";
export {
  defaultMaxErrorBodyBytes,
  defaultMaxResponseBytes,
  type VendorPolicy,
  vendorPolicy,
} from "./vendor-policy.ts";
export { maxVendorReasonChars, sanitizeVendorCode, sanitizeVendorText } from "./vendor-text.ts";
