import type { ServiceName } from "./operation.ts";

/**
 * Our own caps for the lists and maps that AWS's models leave unbounded (docs/api.md, "Limits"). Every
 * list or map of an operation input has a maximum, so no request can make a statement with more bound
 * values than a database accepts (SQLite: 32,766) or a loop that grows with an unbounded input.
 */
export const DEFAULT_LIST_CAP = 1_000;

/** Caps by botocore shape name, where a tighter one than DEFAULT_LIST_CAP is documented. */
export const DOCUMENTED_LIST_CAPS: Record<ServiceName, Readonly<Record<string, number>>> = {
  profile: {
    // Values of SearchProfiles (and each AdditionalSearchKey), AddProfileKey, DeleteProfileKey and
    // ListProfileObjects' ObjectFilter.
    requestValueList: 100,
    // AWS's "keys per object type" quota (10), and per key its definitions and composite field names.
    KeyMap: 10,
    ObjectTypeKeyList: 10,
    FieldNameList: 10,
    StandardIdentifierList: 10,
  },
  appflow: {},
  secretsmanager: {
    // Secrets Manager's documented quota: 50 tags per secret.
    TagListType: 50,
    TagKeyListType: 50,
  },
  // IAM and STS members are checked by their handlers (src/api/iam/members.ts).
  iam: {},
  sts: {},
  // KMS members are checked by their handlers (src/api/kms/kms-members.ts).
  kms: {},
};
