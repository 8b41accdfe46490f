import { ListRolesCommand, type Role } from "@aws-sdk/client-iam";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import DatePicker from "@cloudscape-design/components/date-picker";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { apiMessage, useClients } from "../../aws.ts";
import { useApi } from "../../use-api.ts";
import { BULK_THRESHOLD_DAYS, DAY_MS, type Source } from "./sources.ts";
import { isoDay, type RoleChoice, startMs } from "./wizard-state.ts";
import { defaultRoleName, fillWorkflowRolePolicy } from "./workflow-role-policy.ts";

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Days between the start date and now (whole days, rounded down). */
export function daysBack(day: string, now: number): number {
  return Math.floor((now - startMs(day)) / DAY_MS);
}

/** True when the date turns on bulk ingestion: more than 60 days back on Salesforce, Marketo or ServiceNow. */
export function isBulk(source: Source, day: string, now: number): boolean {
  return source.bulk && daysBack(day, now) > BULK_THRESHOLD_DAYS;
}

/** Problems of the start date and the role, for the Next button. */
export function startDateErrors(source: Source, day: string, role: RoleChoice | undefined, now: number) {
  const out: { date?: string; role?: string } = {};
  const t = startMs(day);
  if (Number.isNaN(t)) out.date = "Enter a date as YYYY/MM/DD.";
  else if (t > now) out.date = "The ingestion start date cannot be in the future.";
  if (!out.date && isBulk(source, day, now)) {
    if (!role) out.role = "Create a new role or select an existing one.";
    else if (role.kind === "create" && !ROLE_NAME.test(role.name))
      out.role = "A role name is 1–64 letters, digits and + = , . @ _ -";
    else if (role.kind === "existing" && !role.arn) out.role = "Select a role.";
  }
  return out;
}

/** Roles that Customer Profiles can assume (trusted by profile.amazonaws.com) first. */
function trustsProfile(r: Role): boolean {
  return decodeURIComponent(r.AssumeRolePolicyDocument ?? "").includes("profile.amazonaws.com");
}

function RoleChooser(props: {
  domain: string;
  keyArn: string;
  role: RoleChoice | undefined;
  error: string | undefined;
  onRole: (r: RoleChoice) => void;
}) {
  const clients = useClients();
  const roles = useApi("List roles", async () => {
    const out: Role[] = [];
    let Marker: string | undefined;
    do {
      const page = await clients.iam.send(
        new ListRolesCommand({ MaxItems: 100, ...(Marker ? { Marker } : {}) }),
      );
      out.push(...(page.Roles ?? []));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return out.sort((a, b) => Number(trustsProfile(b)) - Number(trustsProfile(a)));
  }, [clients]);
  const role = props.role ?? { kind: "create", name: defaultRoleName(props.domain) };
  const options = (roles.data ?? []).map((r) => ({
    value: r.Arn ?? "",
    label: r.RoleName ?? "",
    description: trustsProfile(r) ? `${r.Arn} — trusted by profile.amazonaws.com` : r.Arn,
  }));
  return (
    <Container
      header={
        <Header
          variant="h2"
          description="This role allows Customer Profiles to manage your integration: it creates and updates the workflow that ingests your data."
        >
          IAM role
        </Header>
      }
    >
      <SpaceBetween size="m">
        <FormField label="Role" errorText={props.error} stretch>
          <RadioGroup
            ariaLabel="IAM role"
            value={role.kind}
            onChange={(e) =>
              props.onRole(
                e.detail.value === "create"
                  ? { kind: "create", name: defaultRoleName(props.domain) }
                  : { kind: "existing", arn: "" },
              )
            }
            items={[
              {
                value: "create",
                label: "Create a new role",
                description: `Trusted by profile.amazonaws.com, with the least-privilege policy for domain ${props.domain}'s KMS key only.`,
              },
              { value: "existing", label: "Use an existing role" },
            ]}
          />
        </FormField>
        {role.kind === "create" ? (
          <FormField label="Role name">
            <Input
              value={role.name}
              onChange={(e) => props.onRole({ kind: "create", name: e.detail.value })}
              spellcheck={false}
            />
          </FormField>
        ) : (
          <FormField label="Existing role">
            <Select
              selectedOption={options.find((o) => o.value === role.arn) ?? null}
              onChange={(e) => props.onRole({ kind: "existing", arn: e.detail.selectedOption.value ?? "" })}
              options={options}
              filteringType="auto"
              placeholder="Choose a role"
              statusType={roles.loading ? "loading" : roles.error ? "error" : "finished"}
              loadingText="Loading roles"
              errorText={roles.error ? apiMessage(roles.error) : undefined}
              empty="No roles yet: create a new one."
            />
          </FormField>
        )}
        <ExpandableSection headerText="The role's least-privilege policy">
          <Box variant="code">
            <pre style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: 0 }}>
              {fillWorkflowRolePolicy(props.keyArn, "us-east-1")}
            </pre>
          </Box>
        </ExpandableSection>
      </SpaceBetween>
    </Container>
  );
}

/** The seed's Ingestion start date: 30 days back by default; more than 60 days back → bulk and a role. */
export function StartDateStep(props: {
  domain: string;
  keyArn: string;
  source: Source;
  startDate: string;
  role: RoleChoice | undefined;
  showErrors: boolean;
  now: number;
  onStartDate: (d: string) => void;
  onRole: (r: RoleChoice) => void;
}) {
  const { source, now } = props;
  const errors = props.showErrors ? startDateErrors(source, props.startDate, props.role, now) : {};
  const bulk = !Number.isNaN(startMs(props.startDate)) && isBulk(source, props.startDate, now);
  const days = daysBack(props.startDate, now);
  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description="Customer Profiles starts ingesting records created after this date. By default, the date for importing records is set at 30 days prior."
          >
            Ingestion start date
          </Header>
        }
      >
        <FormField
          label="Date for importing records"
          constraintText="YYYY/MM/DD"
          errorText={errors.date}
          description={Number.isNaN(days) ? undefined : `${days} days back`}
        >
          <DatePicker
            value={props.startDate}
            onChange={(e) => props.onStartDate(e.detail.value)}
            placeholder="YYYY/MM/DD"
            isDateEnabled={(d) => d.getTime() <= now}
            openCalendarAriaLabel={(selected) =>
              `Choose the ingestion start date${selected ? `, selected ${selected}` : ""}`
            }
          />
        </FormField>
      </Container>
      {bulk ? (
        <>
          <Alert type="info" header="Bulk ingestion of data">
            <SpaceBetween size="xs">
              <span>
                {`This date is more than two months ago (${days} days, over ${BULK_THRESHOLD_DAYS}): Customer Profiles automatically enables bulk ingestion by creating multiple flows, so you don't have to calculate how many flows you need to ingest data.`}
              </span>
              <ul>
                <li>
                  The batch size is two months: the history from {isoDay(startMs(props.startDate))} is
                  ingested in 2-month batches.
                </li>
                <li>Each batch is retried on transient failures up to three times before failing.</li>
                <li>
                  After the workflow is complete, a standard, continuous integration ingests your new data as
                  it is updated in {source.label}.
                </li>
              </ul>
              <span>
                For {source.label}, Customer Profiles uses your IAM role to create these workflows. The role
                created here is only usable by domain {props.domain}: its access is limited to the domain's
                KMS key.
              </span>
            </SpaceBetween>
          </Alert>
          <RoleChooser
            domain={props.domain}
            keyArn={props.keyArn}
            role={props.role}
            error={errors.role}
            onRole={props.onRole}
          />
        </>
      ) : source.bulk ? null : days > BULK_THRESHOLD_DAYS ? (
        <Alert type="info">
          {`${source.label} has no bulk ingestion: the continuous integration reads the ${days} days from the start date itself.`}
        </Alert>
      ) : null}
    </SpaceBetween>
  );
}
