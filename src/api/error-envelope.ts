import { type ErrorKind, isProfileflowError, type ProfileflowError } from "../core/errors.ts";
import type { ServiceName } from "./operation.ts";
import { isQueryService, queryErrorReply } from "./query-protocol.ts";

export interface ErrorReply {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

type Table = Record<ErrorKind, [number, string]>;

const profile: Table = {
  invalid: [400, "BadRequestException"],
  not_found: [404, "ResourceNotFoundException"],
  unknown_operation: [404, "UnknownOperationException"],
  conflict: [400, "BadRequestException"],
  auth: [403, "AccessDeniedException"],
  denied: [403, "AccessDeniedException"],
  throttled: [429, "ThrottlingException"],
  quota: [400, "BadRequestException"],
  unsupported: [400, "BadRequestException"],
  connector_auth: [400, "BadRequestException"],
  connector: [400, "BadRequestException"],
  internal: [500, "InternalServerException"],
};

const appflow: Table = {
  invalid: [400, "ValidationException"],
  not_found: [404, "ResourceNotFoundException"],
  unknown_operation: [404, "UnknownOperationException"],
  conflict: [409, "ConflictException"],
  auth: [403, "AccessDeniedException"],
  denied: [403, "AccessDeniedException"],
  throttled: [429, "ThrottlingException"],
  quota: [402, "ServiceQuotaExceededException"],
  unsupported: [400, "UnsupportedOperationException"],
  connector_auth: [401, "ConnectorAuthenticationException"],
  connector: [400, "ConnectorServerException"],
  internal: [500, "InternalServerException"],
};

const secretsmanager: Table = {
  invalid: [400, "InvalidParameterException"],
  not_found: [400, "ResourceNotFoundException"],
  unknown_operation: [404, "UnknownOperationException"],
  conflict: [400, "ResourceExistsException"],
  auth: [403, "AccessDeniedException"],
  denied: [403, "AccessDeniedException"],
  throttled: [429, "ThrottlingException"],
  quota: [400, "LimitExceededException"],
  unsupported: [400, "InvalidRequestException"],
  connector_auth: [400, "InvalidRequestException"],
  connector: [400, "InvalidRequestException"],
  internal: [500, "InternalServiceError"],
};

/** KMS answers every client error with 400 and its own exception name (KMS API Reference, "Errors"). */
const kms: Table = {
  invalid: [400, "ValidationException"],
  not_found: [400, "NotFoundException"],
  unknown_operation: [404, "UnknownOperationException"],
  conflict: [400, "KMSInvalidStateException"],
  auth: [400, "AccessDeniedException"],
  denied: [400, "AccessDeniedException"],
  throttled: [400, "ThrottlingException"],
  quota: [400, "LimitExceededException"],
  unsupported: [400, "UnsupportedOperationException"],
  connector_auth: [400, "ValidationException"],
  connector: [400, "ValidationException"],
  internal: [500, "KMSInternalException"],
};

/** KMS's exception per code, where it names one more precisely than the kind does. */
const kmsTypes: Partial<Record<ProfileflowError["code"], string>> = {
  ALREADY_EXISTS: "AlreadyExistsException",
  MALFORMED_POLICY_DOCUMENT: "MalformedPolicyDocumentException",
  KMS_DISABLED: "DisabledException",
  KMS_INVALID_STATE: "KMSInvalidStateException",
  KMS_INVALID_CIPHERTEXT: "InvalidCiphertextException",
  KMS_INCORRECT_KEY: "IncorrectKeyException",
  KMS_INVALID_ARN: "InvalidArnException",
  KMS_INVALID_ALIAS_NAME: "InvalidAliasNameException",
  KMS_INVALID_GRANT_ID: "InvalidGrantIdException",
  KMS_INVALID_GRANT_TOKEN: "InvalidGrantTokenException",
  KMS_TAG: "TagException",
};

const tables: Record<Exclude<ServiceName, "iam" | "sts">, Table> = { profile, appflow, secretsmanager, kms };

/** Authentication failures keep AWS's own exception names whatever the service. */
const authTypes: Partial<Record<ProfileflowError["code"], string>> = {
  MISSING_AUTHENTICATION_TOKEN: "MissingAuthenticationTokenException",
  UNRECOGNIZED_CLIENT: "UnrecognizedClientException",
  INVALID_SIGNATURE: "InvalidSignatureException",
  EXPIRED_TOKEN: "ExpiredTokenException",
};

/**
 * Edge refusals keep the status HTTP gives them (so proxies and curl read them right) and the
 * service's own validation exception, which every SDK parses; a timeout is AWS's
 * RequestTimeoutException, which the SDKs retry.
 */
const edgeStatus: Partial<Record<ProfileflowError["code"], [number, string?]>> = {
  BODY_TOO_LARGE: [413],
  URI_TOO_LONG: [414],
  HEADERS_TOO_LARGE: [431],
  REQUEST_TIMEOUT: [408, "RequestTimeoutException"],
};

/** Maps any thrown value to the service's AWS error envelope (status, type, body). */
export function errorReply(service: ServiceName, error: unknown): ErrorReply {
  if (isQueryService(service)) return queryErrorReply(service, error);
  const e = isProfileflowError(error) ? error : undefined;
  const [tableStatus, tableType] = tables[service][e?.kind ?? "internal"];
  const [edge, edgeType] = (e && edgeStatus[e.code]) ?? [];
  const status = edge ?? tableStatus;
  const serviceType = service === "kms" && e ? kmsTypes[e.code] : undefined;
  const type = (e && authTypes[e.code]) ?? edgeType ?? serviceType ?? tableType;
  const message = e ? e.message : "An internal error occurred.";
  const body: Record<string, unknown> =
    service === "profile"
      ? { Message: message }
      : service === "appflow"
        ? { message }
        : { __type: type, message };
  return { status, type, body };
}
