import { json, type Reply } from "../core/index.ts";

/** An error the simulator answers in Salesforce's REST shape: `[{"message","errorCode"}]`. */
export class SfError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly headers: Record<string, string>;
  constructor(status: number, errorCode: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
  }
  /** The reply Salesforce sends for this error. */
  reply(extraHeaders: Record<string, string> = {}): Reply {
    return json(this.status, [{ message: this.message, errorCode: this.errorCode }], {
      ...this.headers,
      ...extraHeaders,
    });
  }
}

/** The exact errors of sources.md §1.3. */
export const sfErrors = {
  invalidSession: () => new SfError(401, "INVALID_SESSION_ID", "Session expired or invalid"),
  requestLimit: () => new SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
  concurrentLimit: () =>
    new SfError(
      403,
      "REQUEST_LIMIT_EXCEEDED",
      "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
    ),
  queryTimeout: () => new SfError(400, "QUERY_TIMEOUT", "Your query request was running for too long."),
  unavailable: () =>
    new SfError(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later."),
  malformed: (msg: string) => new SfError(400, "MALFORMED_QUERY", msg),
  invalidField: (field: string, object: string) =>
    new SfError(
      400,
      "INVALID_FIELD",
      `\n${field}\n^\nERROR at Row:1:Column:1\nNo such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  invalidType: (object: string) =>
    new SfError(
      400,
      "INVALID_TYPE",
      `\nFROM ${object}\n^\nERROR at Row:1:Column:1\nsObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  invalidLocator: () => new SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator"),
  notFound: () => new SfError(404, "NOT_FOUND", "The requested resource does not exist"),
};
