import type { Queryable } from "../../db/queryable.ts";

/**
 * The tag every flow and integration a workflow creates carries, as in AWS: the seed's least-privilege
 * policy conditions its statements on it (`aws:RequestTag/awsOwningService`, `aws:ResourceTag/…`).
 */
export const OWNING_SERVICE_TAG_KEY = "awsOwningService";
export const OWNING_SERVICE_TAG_VALUE = "customer-profiles-integration-workflow";

/**
 * Tags a workflow's flow (its integration has the flow's ARN as its URI, so one tag set serves both)
 * inside the caller's transaction. Deleting the flow or the integration clears its tags
 * (FlowService.deleteIn, IntegrationService).
 */
export async function tagOwnedByWorkflow(tx: Queryable, flowArn: string): Promise<void> {
  await tx
    .insertInto("resource_tags")
    .values({ resource_arn: flowArn, tag_key: OWNING_SERVICE_TAG_KEY, tag_value: OWNING_SERVICE_TAG_VALUE })
    .onConflict((oc) =>
      oc.columns(["resource_arn", "tag_key"]).doUpdateSet({ tag_value: OWNING_SERVICE_TAG_VALUE }),
    )
    .execute();
}
