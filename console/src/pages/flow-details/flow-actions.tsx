import {
  DeleteFlowCommand,
  type DescribeFlowCommandOutput,
  ListFlowsCommand,
  StartFlowCommand,
  StopFlowCommand,
} from "@aws-sdk/client-appflow";
import { DeleteIntegrationCommand } from "@aws-sdk/client-customer-profiles";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { apiMessage, type Clients, useClients } from "../../aws.ts";
import { useNotify } from "../../notifications.tsx";
import { follow, href, navigate } from "../../router.ts";
import { paths } from "../../routes.tsx";

/**
 * The Add integration wizard prefilled to set this integration up again: `source` (the AppFlow
 * connector type), `connection` (the connector profile name), `object` (the source object) and
 * `objectType` (the object type it fed).
 */
export function reestablishHref(
  domain: string,
  flow: DescribeFlowCommandOutput | undefined,
  sourceObject: string | undefined,
  objectTypeName: string | undefined,
): string {
  return href(paths.addIntegration(domain), {
    source: flow?.sourceFlowConfig?.connectorType,
    connection: flow?.sourceFlowConfig?.connectorProfileName,
    object: sourceObject,
    objectType: objectTypeName,
  });
}

/** Run now, Stop, Delete integration (confirmed in a dialog), re-establish. */
export function FlowActions({
  domain,
  flowName,
  flow,
  sourceObject,
  objectTypeName,
  onChanged,
}: {
  domain: string;
  flowName: string;
  flow: DescribeFlowCommandOutput | undefined;
  sourceObject: string | undefined;
  objectTypeName: string | undefined;
  onChanged: () => void;
}) {
  const clients = useClients();
  const notify = useNotify();
  const [busy, setBusy] = useState<"run" | "stop" | undefined>();
  const [confirming, setConfirming] = useState(false);
  const running = flow?.lastRunExecutionDetails?.mostRecentExecutionStatus === "InProgress";
  const schedulable = flow?.triggerConfig?.triggerType === "Scheduled";

  const act = async (what: "run" | "stop") => {
    setBusy(what);
    try {
      if (what === "run") {
        const out = await clients.appflow.send(new StartFlowCommand({ flowName }));
        notify.success(
          out.executionId
            ? `Flow ${flowName} started (execution ${out.executionId}).`
            : `Flow ${flowName} is ${out.flowStatus ?? "started"}.`,
        );
      } else {
        const out = await clients.appflow.send(new StopFlowCommand({ flowName }));
        notify.success(`Flow ${flowName} is ${out.flowStatus ?? "stopped"}.`);
      }
      onChanged();
    } catch (e) {
      notify.error(what === "run" ? "Run now" : "Stop", e);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <SpaceBetween direction="horizontal" size="xs">
        <Button iconName="refresh" ariaLabel="Refresh flow details" onClick={onChanged} />
        <Button href={href(paths.viewObjects(domain, flowName))} onFollow={follow} disabled={!flow}>
          View objects
        </Button>
        <Button
          href={reestablishHref(domain, flow, sourceObject, objectTypeName)}
          onFollow={follow}
          disabled={!flow}
        >
          Re-establish
        </Button>
        <Button onClick={() => setConfirming(true)} disabled={!flow}>
          Delete integration
        </Button>
        {schedulable ? (
          <Button onClick={() => act("stop")} loading={busy === "stop"} disabled={!flow}>
            Stop
          </Button>
        ) : null}
        <Button
          variant="primary"
          onClick={() => act("run")}
          loading={busy === "run"}
          disabled={!flow || running}
        >
          Run now
        </Button>
      </SpaceBetween>
      <DeleteIntegrationModal
        visible={confirming}
        domain={domain}
        flowName={flowName}
        flowArn={flow?.flowArn}
        onDismiss={() => setConfirming(false)}
      />
    </>
  );
}

/** Whether a flow of that name exists (ListFlows: no refused call, so no error in the browser's console). */
async function flowExists(clients: Clients, flowName: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await clients.appflow.send(
      new ListFlowsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
    );
    if (page.flows?.some((f) => f.flowName === flowName)) return true;
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}

function DeleteIntegrationModal({
  visible,
  domain,
  flowName,
  flowArn,
  onDismiss,
}: {
  visible: boolean;
  domain: string;
  flowName: string;
  flowArn: string | undefined;
  onDismiss: () => void;
}) {
  const clients = useClients();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const remove = async () => {
    if (!flowArn) return;
    setBusy(true);
    setError(undefined);
    try {
      await clients.profiles.send(new DeleteIntegrationCommand({ DomainName: domain, Uri: flowArn }));
      // DeleteIntegration removes the flow with it; a flow left behind (an integration made by hand) goes too.
      if (await flowExists(clients, flowName)) {
        await clients.appflow.send(new DeleteFlowCommand({ flowName, forceDelete: true }));
      }
      notify.success(`Integration ${flowName} deleted. The objects it ingested stay in domain ${domain}.`);
      navigate(href(paths.configuration(), { domain }));
    } catch (e) {
      setError(apiMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      visible={visible}
      onDismiss={onDismiss}
      header="Delete integration"
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" onClick={remove} loading={busy}>
              Delete
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>
          Delete integration <strong>{flowName}</strong> from domain <strong>{domain}</strong>? Its flow stops
          and is deleted; the objects and profiles it ingested stay. You can set it up again with
          Re-establish.
        </Box>
        {error ? <Alert type="error">{error}</Alert> : null}
      </SpaceBetween>
    </Modal>
  );
}
