import { ProfileArns } from "../../src/core/arns.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { DatabaseHandle } from "../../src/db/database.ts";
import { DomainStore } from "../../src/profiles/domain-store.ts";
import { ObjectTypeStore } from "../../src/profiles/object-type-store.ts";
import { ProfileLifecycle } from "../../src/profiles/profile-lifecycle.ts";
import {
  type DomainCascade,
  type DomainMatching,
  DomainService,
  type DomainServiceDeps,
} from "../../src/services/domain-service.ts";
import { ObjectTypeService } from "../../src/services/object-type-service.ts";
import { TagService } from "../../src/services/tag-service.ts";

/** Matching that is never configured: status PENDING, nothing enqueued. */
export const noMatching: DomainMatching = {
  configuredIn: async () => {},
  statusIn: async () => "PENDING",
};

export interface DomainServices {
  deps: DomainServiceDeps;
  domains: DomainService;
  objectTypes: ObjectTypeService;
  tags: TagService;
  arns: ProfileArns;
  domainStore: DomainStore;
  objectTypeStore: ObjectTypeStore;
  profileData: ProfileLifecycle;
}

/**
 * DomainService and ObjectTypeService over a test database with real stores, as src/main.ts composes
 * them (region us-east-1, account 123456789012). `override` replaces dependencies (a failOn proxy).
 */
export function domainServices(
  handle: Pick<DatabaseHandle, "db" | "dialect">,
  clock: Clock,
  options: {
    cascade?: DomainCascade[];
    matching?: DomainMatching;
    override?: Partial<DomainServiceDeps>;
  } = {},
): DomainServices {
  const { db, dialect } = handle;
  const tags = new TagService(db);
  const arns = new ProfileArns("us-east-1", "123456789012");
  const domainStore = new DomainStore(clock, { region: "us-east-1", accountId: "123456789012" });
  const objectTypeStore = new ObjectTypeStore(clock);
  const profileData = new ProfileLifecycle(dialect, clock);
  const objectTypes = new ObjectTypeService({
    db,
    dialect,
    domains: domainStore,
    objectTypes: objectTypeStore,
    tags,
    arns,
    objects: profileData,
  });
  const deps: DomainServiceDeps = {
    db,
    dialect,
    domains: domainStore,
    tags,
    arns,
    matching: options.matching ?? noMatching,
    profiles: profileData,
    objectTypes,
    cascade: options.cascade ?? [],
    ...options.override,
  };
  return {
    deps,
    domains: new DomainService(deps),
    objectTypes,
    tags,
    arns,
    domainStore,
    objectTypeStore,
    profileData,
  };
}
