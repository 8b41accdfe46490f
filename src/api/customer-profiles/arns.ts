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
