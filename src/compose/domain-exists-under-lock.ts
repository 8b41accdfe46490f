import { isProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { DomainService } from "../services/domain-service.ts";

/**
 * FlowService's domain check (a flow's destination): the domain under its lock (DomainService.lockIn),
 * inside the operation's transaction. A CreateFlow, UpdateFlow or workflow step that checks the domain
 * while DeleteDomain's cascade runs waits for it and finds the domain gone, instead of committing a flow
 * into a deleted domain (PostgreSQL; SQLite's one writer serializes them, and lockIn calls only `q`).
 */
export function domainExistsUnderLock(
  domains: Pick<DomainService, "lockIn">,
): (q: Queryable, name: string) => Promise<boolean> {
  return (q, name) =>
    domains.lockIn(q, name).then(
      () => true,
      (e: unknown) => {
        if (isProfileflowError(e, "RESOURCE_NOT_FOUND")) return false;
        throw e;
      },
    );
}
