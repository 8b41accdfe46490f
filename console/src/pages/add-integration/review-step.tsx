import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs, { type KeyValuePairsProps } from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { ReactNode } from "react";
import { ConnectionStatus } from "./connection-step.tsx";
import type { TestResult } from "./connection-test.ts";
import type { Source } from "./sources.ts";
import type { ObjectPlan, RoleChoice } from "./wizard-state.ts";
import { defaultRoleName } from "./workflow-role-policy.ts";

function objectTypeText(p: ObjectPlan): string {
  const c = p.choice;
  if (!c) return "-";
  if (c.kind === "template") return `${c.templateId} (default template)`;
  if (c.kind === "existing") return `${c.objectTypeName} (object type of this domain)`;
  return `${c.objectTypeName} (your mapping: ${c.rows.length} fields, saved with PutProfileObjectType)`;
}

/** One step's choices under its title, with the button that goes back to edit them. */
function StepSummary(props: { title: string; edit: ReactNode; items: KeyValuePairsProps.Item[] }) {
  return (
    <Container
      header={
        <Header variant="h2" actions={props.edit}>
          {props.title}
        </Header>
      }
    >
      <KeyValuePairs columns={2} items={props.items} />
    </Container>
  );
}

/** The seed's Review and integrate page: everything chosen, and Connection status: Connected. */
export function ReviewStep(props: {
  domain: string;
  source: Source;
  connection: string;
  test: TestResult;
  objects: ObjectPlan[];
  startDate: string;
  days: number;
  bulk: boolean;
  role: RoleChoice | undefined;
  onEdit: (step: number) => void;
}) {
  const edit = (step: number, what: string) => (
    <Button formAction="none" onClick={() => props.onEdit(step)} ariaLabel={`Edit ${what}`}>
      Edit
    </Button>
  );
  const role = props.role ?? { kind: "create" as const, name: defaultRoleName(props.domain) };
  return (
    <SpaceBetween size="l">
      <StepSummary
        title="Step 1: Select source"
        edit={edit(0, "source")}
        items={[
          { label: "Domain", value: props.domain },
          { label: "Source", value: props.source.label },
        ]}
      />
      <StepSummary
        title="Step 2: Establish connection"
        edit={edit(1, "connection")}
        items={[
          { label: "Connection", value: props.connection },
          { label: "Connection status", value: <ConnectionStatus test={props.test} /> },
        ]}
      />
      <StepSummary
        title="Step 3: Integration options"
        edit={edit(2, "integration options")}
        items={props.objects.map((p) => ({ label: `Source object ${p.object}`, value: objectTypeText(p) }))}
      />
      <StepSummary
        title="Step 4: Ingestion start date"
        edit={edit(3, "ingestion start date")}
        items={[
          { label: "Ingestion start date", value: `${props.startDate} (${props.days} days back)` },
          {
            label: "Ingestion",
            value: props.bulk
              ? "Bulk ingestion: the history in 2-month batches (3 retries on transient failures), then a continuous integration"
              : "Continuous integration (hourly)",
          },
          ...(props.bulk
            ? [
                {
                  label: "IAM role",
                  value:
                    role.kind === "create"
                      ? `${role.name} (new: trusted by profile.amazonaws.com, least privilege for domain ${props.domain})`
                      : role.arn,
                },
              ]
            : []),
        ]}
      />
    </SpaceBetween>
  );
}
