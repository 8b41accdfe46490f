import { afterAll, beforeAll, expect, it } from "vitest";
import type { RoleAction, RoleDenial, WorkflowRoleActor } from "../../src/core/workflow-role.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import { AuditLog } from "../../src/security/iam/audit-log.ts";
import { FakeSource } from "../flows/fake-source.ts";
import { createSinkTables } from "../flows/harness.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { ARN_PREFIX, definition, drive, ManualClock, makeWorld, specOf, spread, T0 } from "./harness.ts";

const JUL = Date.UTC(2024, 6, 1);
const SESSION = "arn:aws:sts::123456789012:assumed-role/cp/profile-wf-test";

// Issue 16: a hand-off refused as the workflow's role rolls back (its audit row with it); the row is
// written again and the workflow marked FAILED in ONE transaction, so a FAILED workflow always has its
// refusal's row — neither is kept without the other.
describeEachDialect("a refused hand-off: FAILED and the refusal's audit row together", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await createSinkTables(db);
  });
  afterAll(async () => db?.destroy());

  it("when the refusal's row cannot be written the workflow is not FAILED either; once it can, both are there", async () => {
    const clock = new ManualClock(T0);
    const source = new FakeSource(clock);
    spread(source, 4, JUL, T0);
    const name = "handoff-refused";
    const continuousFlow = `${ARN_PREFIX}${name}`;
    const audit = new AuditLog(clock);
    let auditDown = true;
    const refused = (actions: readonly RoleAction[]): RoleDenial | undefined => {
      const a = actions.find((x) => x.action === "appflow:CreateFlow" && x.resource === continuousFlow);
      return (
        a && {
          action: a.action,
          resource: a.resource,
          message: `User: ${SESSION} is not authorized to perform: ${a.action} on resource: ${a.resource}`,
          principalArn: SESSION,
          decision: "ImplicitDeny",
          mutating: true,
        }
      );
    };
    // The hand-off's CreateFlow of the continuous flow is refused; every step's action is allowed.
    const role: WorkflowRoleActor<Queryable> = {
      authorize: async (_q, _who, actions) => refused(actions),
      recordRefusal: async (q, who, denial) => {
        if (auditDown) throw new Error("the audit trail cannot be written");
        await audit.recordIn(q, {
          requestId: `workflow:${who.workflowId}`,
          principalArn: denial.principalArn!,
          action: denial.action,
          resource: denial.resource,
          decision: denial.decision!,
        });
      },
    };
    const w = makeWorld(db, clock, specOf(source), "handoff", role);
    await w.executor.unschedule(db.db, "workflows:sweep");
    await w.runner.init();
    const wf = await w.runner.create({
      domainName: "d",
      objectTypeName: "User",
      roleArn: "arn:aws:iam::123456789012:role/cp",
      flowDefinition: definition(name),
      batches: planBatches(JUL, T0),
    });
    const status = async () => (await w.store.get(db.db, wf.workflowId))?.status;
    const rows = async () =>
      (await audit.list(db.db, { principalArn: SESSION, limit: 10 })).events.filter(
        (e) => e.requestId === `workflow:${wf.workflowId}`,
      );
    const stepsDone = async () =>
      (await w.store.steps(db.db, wf.workflowId)).every((s) => s.status === "COMPLETE");
    await drive(w, clock, stepsDone);
    // The hand-off ran (and was refused) in these rounds; writing its refusal failed.
    for (let i = 0; i < 3; i++) {
      await w.executor.runOnce().catch(() => undefined);
      clock.advance(60_000);
    }
    expect(await status()).not.toBe("FAILED");
    expect(await rows()).toEqual([]);

    auditDown = false;
    await drive(w, clock, async () => (await status()) === "FAILED");
    expect((await w.store.get(db.db, wf.workflowId))?.errorDescription).toContain("appflow:CreateFlow");
    expect(await rows()).toEqual([
      expect.objectContaining({
        action: "appflow:CreateFlow",
        resource: continuousFlow,
        decision: "ImplicitDeny",
      }),
    ]);
  });
});
