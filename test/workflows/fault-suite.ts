import {
  type AppflowClient,
  type ConnectorProfileConfig,
  CreateConnectorProfileCommand,
  DescribeFlowExecutionRecordsCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type CustomerProfilesClient,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultRetryPolicy } from "../../src/connectors/sdk/backoff.ts";
import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import type { FailNext, SandboxWorld } from "../../src/sandbox/core/index.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { restoreKnobsAfterEach } from "../helpers/sandbox-knobs.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { expectIngestedExactly, type SdkStack, startSdkStack } from "./sdk-stack.ts";

const DAY = 86_400_000;
/** The sandboxes' clocks start here (every connector harness uses it). */
export const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** What the suite needs of a started sandbox. */
export interface SandboxLike {
  readonly url: string;
  readonly world: SandboxWorld;
  close(): Promise<void>;
}

/** What differs between the vendors; the scenarios are the same. */
export interface VendorCase<S extends SandboxLike> {
  /** AppFlow connector type, and the key of its SourceConnectorProperties / ConnectorOperator. */
  readonly connectorType: "Salesforce" | "Servicenow" | "Marketo";
  readonly propertyKey: "Salesforce" | "ServiceNow" | "Marketo";
  readonly object: string;
  readonly cursorField: string;
  readonly fields: readonly string[];
  readonly spec: ConnectorSpec;
  start(): Promise<S>;
  connectorProfile(sb: S): ConnectorProfileConfig;
  /** `id@ms` of the live records stamped in [from, to). */
  truth(sb: S, from: number, to: number): Promise<string[]>;
  /** The failNext filter that matches the first request of a read of the window starting at `from`, only. */
  windowRequest(from: number): Partial<FailNext>;
}

/**
 * Two six-month workflows through the real SDK against a vendor's sandbox, on SQLite and PostgreSQL: one whose
 * step fails twice and recovers (RETRY, then COMPLETE), and one whose step fails four times (FAILED, the
 * workflow names the window, the retry extension re-runs it and the workflow completes). Both must end with
 * exactly the ground truth. Faults come from the sandbox's failNext knob, aimed at one step's window.
 */
export function faultSuite<S extends SandboxLike>(v: VendorCase<S>): void {
  const typeName = `${v.connectorType}-${v.object}`;
  // The connector's HTTP client retries each request this many times before the execution fails; the
  // server's engine makes one attempt per execution, so one failed step attempt = this many failed requests.
  const perAttempt = v.spec.retry?.maxAttempts ?? defaultRetryPolicy.maxAttempts;

  describeEachDialect(
    `${v.connectorType} workflow steps under injected faults, through the SDK`,
    (dialect) => {
      let sb: S;
      let endpoint: string;
      let stack: SdkStack;
      let profiles: CustomerProfilesClient;
      let appflow: AppflowClient;
      // The server, the connector and the sandbox share one clock that moves only when the test moves it.
      const now = () => sb.world.clock.now();
      const send = <T>(client: CustomerProfilesClient | AppflowClient, command: unknown) =>
        stack.send<T>(client, command);
      const knobs = async (patch?: unknown): Promise<any> => {
        const res = await fetch(`${sb.url}/__sandbox/knobs`, {
          method: patch === undefined ? "GET" : "POST",
          headers: { "content-type": "application/json" },
          ...(patch === undefined ? {} : { body: JSON.stringify(patch) }),
        });
        expect(res.ok).toBe(true);
        return res.json();
      };

      beforeAll(async () => {
        sb = await v.start();
        // Faults on: random transient failures everywhere (the client retries them), besides the aimed ones.
        await knobs({ errorRate: { transient: 0.02 } });
        stack = await startSdkStack(dialect, sb.world.clock);
        ({ endpoint, profiles, appflow } = stack);
        await send(
          appflow,
          new CreateConnectorProfileCommand({
            connectorProfileName: "src",
            connectorType: v.connectorType,
            connectionMode: "Public",
            connectorProfileConfig: v.connectorProfile(sb),
          }),
        );
      });
      afterAll(async () => {
        await stack?.close();
        await sb?.close();
      });
      // A test that fails before its aimed faults are served must not leave them for the next test.
      restoreKnobsAfterEach(() => sb.url);

      /** A workflow over the six months before START in its own domain; returns its id and leaf steps. */
      async function createWorkflow(domain: string) {
        await send(profiles, new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 365 }));
        const created = await send<{ WorkflowId: string }>(
          profiles,
          new CreateIntegrationWorkflowCommand(
            appflowWorkflow({
              domain,
              kmsArn: await stack.domainKey(domain),
              roleArn: await stack.workflowRole(domain),
              objectType: typeName,
              flowName: `${domain}-flow`,
              source: { ...v, connectorProfileName: "src" },
              first: new Date(START - 183 * DAY),
            }),
          ),
        );
        const id = created.WorkflowId;
        const leaves = (await steps(domain, id)).filter((s) => s.Status !== "SPLIT");
        expect(leaves.length).toBeGreaterThanOrEqual(3);
        return { id, leaves };
      }
      const steps = (domain: string, id: string) => stack.steps(domain, id);
      /** Runs the executor, a minute of clock at a time (retry backoff, lag waits), until `status` or 40 rounds. */
      const driveTo = (domain: string, id: string, status: string, each?: () => Promise<void>) =>
        stack.driveWorkflow(domain, id, status, { rounds: 40, ...(each ? { each } : {}) });
      /** The domain holds exactly the ground truth: the history, plus what changed after it (the hand-off's reads). */
      async function expectGroundTruth(domain: string, wf: any) {
        const history = await v.truth(sb, START - 183 * DAY, START);
        expect(history.length).toBeGreaterThan(10);
        const later = await v.truth(sb, START, now());
        await expectIngestedExactly(
          stack,
          { domain, objectType: typeName, workflow: wf },
          { history, later },
        );
      }
      const executions = async (flowName: string): Promise<string[]> =>
        (await send<any>(appflow, new DescribeFlowExecutionRecordsCommand({ flowName }))).flowExecutions.map(
          (e: any) => e.executionStatus,
        );

      it("a step whose reads fail twice goes RETRY, then COMPLETE, and the workflow ingests exactly the ground truth", async () => {
        const { id, leaves } = await createWorkflow("retried");
        // The last step: it runs after the others, so nothing but the test moves the clock while it waits to retry.
        const target = leaves[leaves.length - 1];
        const from = Date.parse(target.BatchRecordsStartTime);
        await knobs({ failNext: { count: 2 * perAttempt, status: 0, ...v.windowRequest(from) } });

        const seen: string[] = [];
        const wf = await driveTo("retried", id, "COMPLETE", async () => {
          const s = (await steps("retried", id)).find((x) => x.FlowName === target.FlowName);
          const view = `${s.Status}: ${s.ExecutionMessage}`;
          if (s.Status !== "NOT_STARTED" && seen[seen.length - 1] !== view) seen.push(view);
        });
        expect(wf.Status).toBe("COMPLETE");
        expect(seen.map((x) => x.split(":")[0])).toEqual(["RETRY", "RETRY", "COMPLETE"]);
        expect(seen[0]).toMatch(/^RETRY: Retry 1 of 3 at .* after: /);
        expect(seen[1]).toMatch(/^RETRY: Retry 2 of 3 at .* after: /);
        expect((await knobs()).failNext.count).toBe(0); // every injected failure was served to this step
        const after = (await steps("retried", id)).filter((s) => s.Status !== "SPLIT");
        expect(after.map((s) => s.Status)).toEqual(leaves.map(() => "COMPLETE"));
        // Two failed executions, then the successful one; the other steps succeeded at once.
        expect((await executions(target.FlowName)).sort()).toEqual(["Error", "Error", "Successful"]);
        for (const s of leaves.filter((x) => x !== target))
          expect(await executions(s.FlowName)).toEqual(["Successful"]);
        await expectGroundTruth("retried", wf);
      });

      it("a step that fails 4 times is FAILED, the workflow names its window, and the retry extension completes it", async () => {
        const { id, leaves } = await createWorkflow("failed");
        const target = leaves[1];
        const from = Date.parse(target.BatchRecordsStartTime);
        await knobs({ failNext: { count: 4 * perAttempt, status: 0, ...v.windowRequest(from) } });

        const failed = await driveTo("failed", id, "FAILED");
        expect(failed.Status).toBe("FAILED");
        expect((await knobs()).failNext.count).toBe(0);
        const window = `[${target.BatchRecordsStartTime}, ${target.BatchRecordsEndTime})`;
        expect(failed.ErrorDescription).toBe(
          `1 of ${leaves.length} steps failed; missing windows: ${window}`,
        );
        expect(failed.Metrics.AppflowIntegration.StepsCompleted).toBe(leaves.length - 1);
        const mid = (await steps("failed", id)).filter((s) => s.Status !== "SPLIT");
        for (const s of mid) {
          if (s.FlowName === target.FlowName) {
            expect(s.Status).toBe("FAILED");
            expect(s.ExecutionMessage).toMatch(/^Failed after 4 attempts: /);
          } else expect(s.Status).toBe("COMPLETE");
        }
        expect(await executions(target.FlowName)).toEqual(["Error", "Error", "Error", "Error"]);

        const res = await signedFetch(endpoint, {
          method: "POST",
          path: `/domains/failed/workflows/${id}/retry`,
          body: "{}",
          credentials: stack.credentials,
          signingDate: new Date(now()),
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as any;
        expect(body.Windows).toEqual([
          { StartTime: from / 1000, EndTime: Date.parse(target.BatchRecordsEndTime) / 1000 },
        ]);

        const wf = await driveTo("failed", id, "COMPLETE");
        expect(wf.Status).toBe("COMPLETE");
        expect(wf.ErrorDescription ?? "").not.toMatch(/missing/);
        const after = (await steps("failed", id)).filter((s) => s.Status !== "SPLIT");
        expect(after.map((s) => s.Status)).toEqual(leaves.map(() => "COMPLETE"));
        expect((await executions(target.FlowName)).filter((s) => s === "Successful")).toHaveLength(1);
        await expectGroundTruth("failed", wf);
      });
    },
  );
}
