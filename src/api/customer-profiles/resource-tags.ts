import { sql } from "kysely";
import type { DomainStore } from "../../profiles/domain-store.ts";
import type { ObjectTypeStore } from "../../profiles/object-type-store.ts";
import type { ProfileArns } from "./arns.ts";

/**
 * Makes deletions take their tags along, in the deleting transaction: a domain's own tags and those
 * of everything under its ARN (object types, integrations), and an object type's tags.
 */
export function clearTagsOnDelete(
  arns: ProfileArns,
  domains: DomainStore,
  objectTypes: ObjectTypeStore,
): void {
  domains.onDelete(async (trx, domainName) => {
    const arn = arns.domain(domainName);
    const under = `${arn}/`;
    // substr, not LIKE: domain names may hold `_`, a LIKE wildcard that would reach other domains.
    await trx
      .deleteFrom("resource_tags")
      .where((eb) =>
        eb.or([
          eb("resource_arn", "=", arn),
          eb(sql<string>`substr(resource_arn, 1, ${under.length})`, "=", under),
        ]),
      )
      .execute();
  });
  objectTypes.onDelete(async (trx, domainName, objectTypeName) => {
    await trx
      .deleteFrom("resource_tags")
      .where("resource_arn", "=", arns.objectType(domainName, objectTypeName))
      .execute();
  });
}

/** Answers the tag operations whether a Customer Profiles ARN names an existing domain or object type. */
export function profileResourceExists(arns: ProfileArns, domains: DomainStore, objectTypes: ObjectTypeStore) {
  return async (arn: string): Promise<boolean | undefined> => {
    const parsed = arns.parse(arn);
    if (!parsed) return undefined;
    if (parsed.kind === undefined) return (await domains.get(parsed.domainName)) !== undefined;
    if (parsed.kind === "object-types" && parsed.name) {
      return (await objectTypes.describe(parsed.domainName, parsed.name)) !== undefined;
    }
    return undefined;
  };
}
