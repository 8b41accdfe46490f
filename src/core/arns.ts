/** The parts of an ARN: `arn:{partition}:{service}:{region}:{account}:{resource}`. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon (it may hold colons and slashes itself). */
  resource: string;
}

/** Splits an ARN into its parts; undefined when it is not one. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  if (!partition || !service) return undefined;
  return { partition, service, region, accountId, resource: parts.slice(5).join(":") };
}

/** Region and account of a service's resources. */
export interface ArnScope {
  region: string;
  accountId: string;
}

/** Builds `arn:aws:{service}:{region}:{account}:{resource}`. */
export function arnOf(service: string, where: ArnScope, resource: string): string {
  return `arn:aws:${service}:${where.region}:${where.accountId}:${resource}`;
}

/** Region and account of any ARN (empty strings where it has none). */
export function scopeOf(arn: string): ArnScope {
  const a = parseArn(arn);
  return { region: a?.region ?? "", accountId: a?.accountId ?? "" };
}

/** The prefix of AppFlow resource ARNs of one kind: `arn:aws:appflow:{region}:{account}:{kind}/`. */
export function appflowArnPrefix(where: ArnScope, kind: "flow" | "connectorprofile"): string {
  return arnOf("appflow", where, `${kind}/`);
}

/** The ARN of an AppFlow resource: `arn:aws:appflow:{region}:{account}:{kind}/{name}`. */
export function appflowArn(where: ArnScope, kind: "flow" | "connectorprofile", name: string): string {
  return appflowArnPrefix(where, kind) + name;
}

/** The ARN of a KMS key: `arn:aws:kms:{region}:{account}:key/{keyId}`. */
export function kmsKeyArn(where: ArnScope, keyId: string): string {
  return arnOf("kms", where, `key/${keyId}`);
}

/** The prefix of Secrets Manager secret ARNs: `arn:aws:secretsmanager:{region}:{account}:secret:`. */
export function secretArnPrefix(where: ArnScope): string {
  return arnOf("secretsmanager", where, "secret:");
}

/** The account's root principal: `arn:aws:iam::{account}:root`. */
export function accountRootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/**
 * The name of an AppFlow resource of one region and account from its ARN
 * (`arn:aws:appflow:{region}:{account}:{kind}/{name}`), or undefined for any other ARN.
 */
export function appflowResourceName(
  arn: string,
  kind: "flow" | "connectorprofile",
  where: { region: string; accountId: string },
): string | undefined {
  const a = parseArn(arn);
  if (a?.service !== "appflow" || a.region !== where.region || a.accountId !== where.accountId) {
    return undefined;
  }
  const slash = a.resource.indexOf("/");
  if (slash < 0 || a.resource.slice(0, slash) !== kind) return undefined;
  const name = a.resource.slice(slash + 1);
  return name === "" ? undefined : name;
}

/** ARNs of Customer Profiles resources: `arn:aws:profile:{region}:{account}:domains/{DomainName}[/…]`. */
export class ProfileArns {
  readonly #prefix: string;

  constructor(region: string, accountId: string) {
    this.#prefix = `arn:aws:profile:${region}:${accountId}:domains/`;
  }

  /** The ARN of a domain. */
  domain(domainName: string): string {
    return this.#prefix + domainName;
  }

  /** The ARN of an object type of a domain. */
  objectType(domainName: string, objectTypeName: string): string {
    return `${this.#prefix}${domainName}/object-types/${objectTypeName}`;
  }

  /** The ARN of an integration of a domain, named by its URI's last segment (the flow name). */
  integration(domainName: string, name: string): string {
    return `${this.#prefix}${domainName}/integrations/${name}`;
  }

  /** Splits an ARN of this region and account into domain and sub-resource; undefined for any other ARN. */
  parse(arn: string): { domainName: string; kind?: string; name?: string } | undefined {
    if (!arn.startsWith(this.#prefix)) return undefined;
    const parts = arn.slice(this.#prefix.length).split("/");
    const [domainName, kind, name, ...rest] = parts;
    if (!domainName || rest.length > 0) return undefined;
    if (kind === undefined) return { domainName };
    if (!name) return undefined;
    return { domainName, kind, name };
  }
}
