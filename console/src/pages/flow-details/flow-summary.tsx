import type { DescribeFlowCommandOutput } from "@aws-sdk/client-appflow";
import Alert from "@cloudscape-design/components/alert";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { FLOW_STATUS, RUN_STATUS } from "../../components/flow-status.ts";
import { formatDate } from "../../components/table-states.tsx";
import { failureAdvice } from "./failure-advice.ts";

/** The flow: status, source, destination, trigger, schedule, last run. */
export function FlowSummary({
  flow,
  sourceObject,
  objectTypeName,
}: {
  flow: DescribeFlowCommandOutput;
  sourceObject: string | undefined;
  objectTypeName: string | undefined;
}) {
  const trigger = flow.triggerConfig;
  const scheduled = trigger?.triggerProperties?.Scheduled;
  const last = flow.lastRunExecutionDetails;
  const schedule = scheduled
    ? [
        scheduled.scheduleExpression,
        scheduled.dataPullMode ? `(${scheduled.dataPullMode})` : undefined,
        scheduled.scheduleStartTime ? `from ${formatDate(scheduled.scheduleStartTime)}` : undefined,
        scheduled.scheduleEndTime ? `until ${formatDate(scheduled.scheduleEndTime)}` : undefined,
      ]
        .filter(Boolean)
        .join(" ")
    : "-";
  return (
    <Container header={<Header variant="h2">Flow</Header>}>
      <KeyValuePairs
        columns={3}
        items={[
          {
            label: "Status",
            value: (
              <StatusIndicator type={FLOW_STATUS[flow.flowStatus ?? ""] ?? "info"}>
                {flow.flowStatus ?? "-"}
              </StatusIndicator>
            ),
          },
          { label: "Source", value: flow.sourceFlowConfig?.connectorType ?? "-" },
          { label: "Connection", value: flow.sourceFlowConfig?.connectorProfileName ?? "-" },
          { label: "Source object", value: sourceObject ?? "-" },
          { label: "Object type", value: objectTypeName ?? "-" },
          { label: "Trigger", value: trigger?.triggerType ?? "-" },
          { label: "Schedule", value: schedule },
          {
            label: "Last run",
            value: last?.mostRecentExecutionTime ? (
              <StatusIndicator type={RUN_STATUS[last.mostRecentExecutionStatus ?? ""] ?? "info"}>
                {`${formatDate(last.mostRecentExecutionTime)} ${last.mostRecentExecutionStatus ?? ""}`.trim()}
              </StatusIndicator>
            ) : (
              "Not run yet"
            ),
          },
          { label: "Description", value: flow.description || "-" },
        ]}
      />
    </Container>
  );
}

/** The last run failed: its reason (the vendor's words) and what to do next. */
export function LastRunAlert({ flow }: { flow: DescribeFlowCommandOutput }) {
  const last = flow.lastRunExecutionDetails;
  const message = last?.mostRecentExecutionMessage ?? "";
  if (last?.mostRecentExecutionStatus !== "Error") return null;
  const advice = failureAdvice(message, flow.sourceFlowConfig?.connectorProfileName);
  return (
    <Alert type="error" header="The last run failed">
      <SpaceBetween size="xs">
        <div>{message || "No message was recorded."}</div>
        {advice ? (
          <div>
            <strong>What to do next: </strong>
            {advice}
          </div>
        ) : null}
      </SpaceBetween>
    </Alert>
  );
}
