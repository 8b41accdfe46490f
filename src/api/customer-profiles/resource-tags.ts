import type { Queryable } from "../../db/queryable.ts";
import type { DomainStore } from "../../profiles/domain-store.ts";
import type { ObjectTypeStore } from "../../profiles/object-type-store.ts";
import type { ProfileArns } from "./arns.ts";

/**
 * Answers the tag operations whether a Customer Profiles ARN names an existing domain or object type
 * (reading through the tag operation's transaction); undefined for ARNs it does not know.
 */
export function profileResourceExists(arns: ProfileArns, domains: DomainStore, objectTypes: ObjectTypeStore) {
  return async (q: Queryable, arn: string): Promise<boolean | undefined> => {
    const parsed = arns.parse(arn);
    if (!parsed) return undefined;
    if (parsed.kind === undefined) return (await domains.get(q, parsed.domainName)) !== undefined;
    if (parsed.kind === "object-types" && parsed.name) {
      return (await objectTypes.describe(q, parsed.domainName, parsed.name)) !== undefined;
    }
    return undefined;
  };
}
