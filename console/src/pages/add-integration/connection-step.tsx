import { type ConnectorType, DescribeConnectorProfilesCommand } from "@aws-sdk/client-appflow";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { apiMessage, useClients } from "../../aws.ts";
import { useApi } from "../../use-api.ts";
import { allPages } from "./all-pages.ts";
import { type ConnectionDraft, createConnection, type TestResult, testExisting } from "./connection-test.ts";
import type { Source } from "./sources.ts";

const NAME = /^[\w/!@#+=.-]+$/;

/** Connected, testing, or the vendor's reason, as a status indicator. */
export function ConnectionStatus({ test }: { test: TestResult }) {
  if (test.state === "testing") return <StatusIndicator type="loading">Testing connection</StatusIndicator>;
  if (test.state === "connected") return <StatusIndicator type="success">Connected</StatusIndicator>;
  if (test.state === "failed") return <StatusIndicator type="error">{test.message}</StatusIndicator>;
  return <StatusIndicator type="pending">Not tested</StatusIndicator>;
}

/** Problems of the new connection's fields, by field. */
export function draftErrors(source: Source, d: ConnectionDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.name) errors["name"] = "Enter a connection name.";
  else if (!NAME.test(d.name) || d.name.length > 256)
    errors["name"] = "Up to 256 letters, digits and the characters _ / ! @ # + = . -";
  if (!/^https?:\/\/\S+$/.test(d.instanceUrl)) errors["instanceUrl"] = "Enter the instance URL (https://…).";
  for (const f of source.credentials)
    if (!f.optional && !d.credentials[f.member]) errors[f.member] = `Enter the ${f.label.toLowerCase()}.`;
  return errors;
}

/** The seed's Establish connection page: an existing AppFlow connection, or a new one tested live. */
export function ConnectionStep(props: {
  source: Source;
  mode: "existing" | "new";
  onMode: (m: "existing" | "new") => void;
  existing: string | undefined;
  onExisting: (name: string) => void;
  draft: ConnectionDraft;
  onDraft: (d: ConnectionDraft) => void;
  test: TestResult;
  onTest: (t: TestResult) => void;
  showErrors: boolean;
}) {
  const clients = useClients();
  const { source, draft } = props;
  const profiles = useApi(
    "Load connections",
    () =>
      allPages(
        (nextToken) =>
          clients.appflow.send(
            new DescribeConnectorProfilesCommand({
              connectorType: source.type as ConnectorType,
              maxResults: 100,
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        (p) => p.connectorProfileDetails,
        (p) => p.nextToken,
      ),
    [clients, source.type],
  );
  const errors = draftErrors(source, draft);
  const shown = (k: string) => (props.showErrors ? errors[k] : undefined);
  const run = async (what: () => Promise<string>) => {
    props.onTest({ state: "testing" });
    try {
      props.onTest({ state: "connected", connection: await what() });
    } catch (e) {
      props.onTest({ state: "failed", message: apiMessage(e) });
    }
  };
  const testNew = () => {
    if (Object.keys(errors).length > 0) {
      props.onTest({ state: "failed", message: Object.values(errors)[0]! });
      return;
    }
    void run(() => createConnection(clients, source, draft));
  };
  const testOld = () => {
    const name = props.existing;
    if (!name) return;
    void run(async () => {
      await testExisting(clients, name);
      return name;
    });
  };
  const set = (patch: Partial<ConnectionDraft>) => {
    props.onDraft({ ...draft, ...patch });
    if (props.test.state !== "idle") props.onTest({ state: "idle" });
  };
  const options = (profiles.data ?? []).map((p) => ({
    value: p.connectorProfileName ?? "",
    label: p.connectorProfileName ?? "",
    description: String(
      (p.connectorProfileProperties as Record<string, { instanceUrl?: string }>)?.[source.key]?.instanceUrl ??
        "",
    ),
  }));
  const tested = (
    <SpaceBetween size="xs" direction="horizontal" alignItems="center">
      <Button
        formAction="none"
        onClick={props.mode === "new" ? testNew : testOld}
        loading={props.test.state === "testing"}
        disabled={
          (props.mode === "existing" && !props.existing) ||
          (props.mode === "new" && props.test.state === "connected")
        }
      >
        {props.mode === "new" ? "Create and test connection" : "Test connection"}
      </Button>
      <div role="status" aria-live="polite">
        <ConnectionStatus test={props.test} />
      </div>
    </SpaceBetween>
  );
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">{`Connection to ${source.label}`}</Header>}>
        <RadioGroup
          ariaLabel="Connection"
          value={props.mode}
          onChange={(e) => {
            props.onMode(e.detail.value as "existing" | "new");
            props.onTest({ state: "idle" });
          }}
          items={[
            {
              value: "existing",
              label: "Use existing connection",
              description: "Reuse an Amazon AppFlow connection you have already created.",
            },
            {
              value: "new",
              label: "Create new connection",
              description: `Enter the information required by ${source.label}.`,
            },
          ]}
        />
      </Container>
      {props.mode === "existing" ? (
        <Container header={<Header variant="h2">Existing connection</Header>}>
          <SpaceBetween size="m">
            <FormField
              label="Connection"
              description={`Amazon AppFlow connections of type ${source.type}.`}
              errorText={props.showErrors && !props.existing ? "Choose a connection." : undefined}
            >
              <Select
                selectedOption={options.find((o) => o.value === props.existing) ?? null}
                onChange={(e) => {
                  props.onExisting(e.detail.selectedOption.value ?? "");
                  props.onTest({ state: "idle" });
                }}
                options={options}
                filteringType="auto"
                filteringPlaceholder="Find a connection"
                filteringAriaLabel="Filter connections"
                filteringClearAriaLabel="Clear filter"
                placeholder="Choose a connection"
                statusType={profiles.loading ? "loading" : profiles.error ? "error" : "finished"}
                loadingText="Loading connections"
                errorText={profiles.error ? apiMessage(profiles.error) : undefined}
                empty={`No ${source.label} connections yet: create a new one.`}
              />
            </FormField>
            {tested}
          </SpaceBetween>
        </Container>
      ) : (
        <Container header={<Header variant="h2">New connection</Header>}>
          <SpaceBetween size="m">
            <FormField label="Connection name" errorText={shown("name")}>
              <Input value={draft.name} onChange={(e) => set({ name: e.detail.value })} spellcheck={false} />
            </FormField>
            <FormField label="Instance URL" errorText={shown("instanceUrl")}>
              <Input
                value={draft.instanceUrl}
                onChange={(e) => set({ instanceUrl: e.detail.value })}
                placeholder={source.instanceUrlHint}
                type="url"
                inputMode="url"
                spellcheck={false}
              />
            </FormField>
            {source.credentials.map((f) => (
              <FormField
                key={f.member}
                label={f.label}
                description={f.description}
                errorText={shown(f.member)}
                {...(f.optional ? { info: <i>optional</i> } : {})}
              >
                <Input
                  value={draft.credentials[f.member] ?? ""}
                  onChange={(e) => set({ credentials: { ...draft.credentials, [f.member]: e.detail.value } })}
                  type={f.secret ? "password" : "text"}
                  spellcheck={false}
                  autoComplete={false}
                />
              </FormField>
            ))}
            {tested}
          </SpaceBetween>
        </Container>
      )}
    </SpaceBetween>
  );
}
