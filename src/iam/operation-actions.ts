/**
 * What each wire operation asks IAM for: its action and the ARN of the resource it acts on, named as
 * AWS's Service Authorization Reference names them for Customer Profiles (`profile:`), AppFlow
 * (`appflow:`), Secrets Manager (`secretsmanager:`), IAM (`iam:`) and STS (`sts:`). The action is the
 * operation's name under its service prefix (AWS's rule for these five services; our extension
 * operations follow it); the table below holds the resources.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonconnectcustomerprofiles.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonappflow.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */
export interface OperationRequest {
  /** The signing service: `profile`, `appflow`, `secretsmanager`, `iam`, `sts`. */
  service: string;
  operation: string;
  params: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body, or the query protocol's form members. */
  body: unknown;
  region: string;
  account: string;
  /** The calling IAM user's ARN: IAM's user operations act on the caller when they name no user. */
  callerUserArn?: string;
}

/** IAM operations whose UserName defaults to the caller's own. */
const CALLER_DEFAULT: ReadonlySet<string> = new Set([
  "GetUser",
  "CreateAccessKey",
  "ListAccessKeys",
  "UpdateAccessKey",
  "DeleteAccessKey",
]);

export interface AuthorizationTarget {
  action: string;
  /** The resource's ARN, or `*` for an operation that names none. */
  resource: string;
  /** Tags the request sets (`aws:RequestTag/…`, `aws:TagKeys`). */
  requestTags?: Record<string, string>;
}

/** Operations that need no permission: STS's GetCallerIdentity and GetSessionToken; AssumeRole decides with the trust policy itself. */
const UNAUTHORIZED: ReadonlySet<string> = new Set([
  "sts:GetCallerIdentity",
  "sts:GetSessionToken",
  "sts:AssumeRole",
]);

/** The action and resource `req` is authorized against, or undefined when it needs no permission. */
export function authorizationTarget(req: OperationRequest): AuthorizationTarget | undefined {
  const action = `${req.service}:${req.operation}`;
  if (UNAUTHORIZED.has(action)) return undefined;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const arn = (service: string, rest: string, region = req.region) =>
    `arn:aws:${service}:${region}:${req.account}:${rest}`;
  let resource = "*";
  let requestTags: Record<string, string> | undefined;
  switch (req.service) {
    case "profile": {
      const domain = req.params["DomainName"];
      const objectType = req.params["ObjectTypeName"] ?? str(body["ObjectTypeName"]);
      const uri = str(body["Uri"]);
      if (req.params["resourceArn"] !== undefined) resource = req.params["resourceArn"];
      else if (domain && objectType && /ObjectType$|ProfileObject|ProfileObjects$/.test(req.operation)) {
        resource = arn("profile", `domains/${domain}/object-types/${objectType}`);
      } else if (domain && uri && /Integration$/.test(req.operation)) {
        resource = arn("profile", `domains/${domain}/integrations/${uri}`);
      } else if (domain) resource = arn("profile", `domains/${domain}`);
      requestTags = tagMap(body["Tags"] ?? body["tags"]);
      break;
    }
    case "appflow": {
      const flow = str(body["flowName"]);
      const profile = str(body["connectorProfileName"]);
      if (req.params["resourceArn"] !== undefined) resource = req.params["resourceArn"];
      else if (flow) resource = arn("appflow", `flow/${flow}`);
      else if (profile) resource = arn("appflow", `connectorprofile/${profile}`);
      requestTags = tagMap(body["tags"]);
      break;
    }
    case "secretsmanager": {
      const id = str(body["SecretId"]) ?? str(body["Name"]);
      if (id) resource = id.startsWith("arn:") ? id : arn("secretsmanager", `secret:${id}`);
      requestTags = tagList(body["Tags"]);
      break;
    }
    case "kms": {
      // A key ARN (`key/{id}`); alias operations act on the alias ARN; an alias named as KeyId and
      // Decrypt's blob are resolved to their key by the authorizer.
      const keyId = str(body["KeyId"]);
      const alias = str(body["AliasName"]);
      if (alias && /Alias$/.test(req.operation)) resource = arn("kms", alias);
      else if (keyId?.startsWith("arn:")) resource = keyId;
      else if (keyId) resource = arn("kms", keyId.startsWith("alias/") ? keyId : `key/${keyId}`);
      requestTags = tagList(body["Tags"]);
      break;
    }
    case "iam": {
      // Only a Create operation's Path is the new entity's path; any other operation acts on an entity
      // whose stored path the authorizer substitutes (a Path member there is the caller's, not the ARN's).
      const path = (/^Create(User|Role|Policy)$/.test(req.operation) && str(body["Path"])) || "/";
      const user = str(body["UserName"]);
      const role = str(body["RoleName"]);
      const policy = str(body["PolicyArn"]);
      if (/Role|RolePolic/.test(req.operation) && role)
        resource = `arn:aws:iam::${req.account}:role${path}${role}`;
      else if (user) resource = `arn:aws:iam::${req.account}:user${path}${user}`;
      else if (policy) resource = policy;
      else if (CALLER_DEFAULT.has(req.operation) && req.callerUserArn) resource = req.callerUserArn;
      else if (req.operation === "CreatePolicy" && str(body["PolicyName"])) {
        resource = `arn:aws:iam::${req.account}:policy${path}${str(body["PolicyName"])}`;
      }
      break;
    }
  }
  const target: AuthorizationTarget = { action, resource };
  if (requestTags !== undefined) target.requestTags = requestTags;
  return target;
}

/** Customer Profiles and AppFlow send tags as a map. */
function tagMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) if (typeof value === "string") out[k] = value;
  return out;
}

/** Secrets Manager sends tags as a list of {Key, Value}. */
function tagList(v: unknown): Record<string, string> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const t of v) {
    // KMS names them TagKey and TagValue.
    const { Key, Value, TagKey, TagValue } = (t ?? {}) as Record<string, unknown>;
    const k = Key ?? TagKey;
    const v = Value ?? TagValue;
    if (typeof k === "string") out[k] = typeof v === "string" ? v : "";
  }
  return out;
}
