import type { DomainTables } from "./schema/domains.ts";
import type { ExecutionTables } from "./schema/executions.ts";
import type { FlowTables } from "./schema/flows.ts";
import type { IamTables } from "./schema/iam.ts";
import type { InstanceLimitTables } from "./schema/instance-limits.ts";
import type { KmsTables } from "./schema/kms.ts";
import type { MatchingTables } from "./schema/matching.ts";
import type { PlatformTables } from "./schema/platform.ts";
import type { ProfilesTables } from "./schema/profiles.ts";
import type { WorkflowTables } from "./schema/workflows.ts";

/**
 * The whole database as Kysely sees it. Each layer declares its tables in src/db/schema/<layer>.ts
 * and this interface joins them; migrations in src/db/migrations/ create them on both dialects.
 */
export interface Database
  extends PlatformTables,
    DomainTables,
    FlowTables,
    ProfilesTables,
    ExecutionTables,
    WorkflowTables,
    InstanceLimitTables,
    MatchingTables,
    IamTables,
    KmsTables {}
