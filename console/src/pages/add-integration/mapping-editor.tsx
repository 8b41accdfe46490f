import { DescribeConnectorEntityCommand } from "@aws-sdk/client-appflow";
import Alert from "@cloudscape-design/components/alert";
import AttributeEditor from "@cloudscape-design/components/attribute-editor";
import Autosuggest from "@cloudscape-design/components/autosuggest";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { apiMessage, useClients } from "../../aws.ts";
import { useApi } from "../../use-api.ts";
import { KEY_CHOICES, mappingErrors, newMappingRow, PROFILE_TARGETS } from "./mapping.ts";
import type { MappingRow } from "./wizard-state.ts";

/** What the editor edits: the object type's name and its rows. */
export type Mapping = { name: string; rows: MappingRow[] };

/**
 * Your own mapping of one source object: its fields (DescribeConnectorEntity) to profile fields and
 * keys; saved with PutProfileObjectType when the integration is created.
 */
export function MappingEditor(props: {
  connection: string;
  object: string;
  name: string;
  rows: MappingRow[];
  showErrors: boolean;
  /** Gets an update of the mapping as it is when React applies it, not as it was at the last render. */
  onChange: (update: (m: Mapping) => Mapping) => void;
}) {
  const clients = useClients();
  const fields = useApi(
    `Describe ${props.object}`,
    async () =>
      (
        await clients.appflow.send(
          new DescribeConnectorEntityCommand({
            connectorProfileName: props.connection,
            connectorEntityName: props.object,
          }),
        )
      ).connectorEntityFields ?? [],
    [clients, props.connection, props.object],
  );
  const fieldOptions = (fields.data ?? []).map((f) => ({
    value: f.identifier ?? "",
    label: f.identifier ?? "",
    ...(f.label && f.label !== f.identifier ? { description: f.label } : {}),
    ...(f.supportedFieldTypeDetails?.v1?.fieldType
      ? { tags: [f.supportedFieldTypeDetails.v1.fieldType] }
      : {}),
  }));
  const errors = props.showErrors ? mappingErrors(props.name, props.rows) : [];
  // A row is found by its id, not its place: an update queued before this one (a row removed) may have
  // moved it since the render its event came from.
  const setRow = (id: string, patch: Partial<Omit<MappingRow, "id">>) =>
    props.onChange((m) => ({ ...m, rows: m.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) }));
  return (
    <Container
      header={
        <Header
          variant="h3"
          description={`Map the fields of ${props.object} to the standard profile; keys decide how objects find their profile.`}
        >
          {`Mapping for ${props.object}`}
        </Header>
      }
    >
      <SpaceBetween size="m">
        <FormField label="Object type name" description="The object type that stores these objects.">
          <Input
            value={props.name}
            onChange={(e) => {
              const name = e.detail.value;
              props.onChange((m) => ({ ...m, name }));
            }}
            ariaLabel={`Object type name for ${props.object}`}
            spellcheck={false}
          />
        </FormField>
        <AttributeEditor<MappingRow>
          items={props.rows}
          addButtonText="Add field mapping"
          removeButtonText="Remove"
          removeButtonAriaLabel={(r) => `Remove the mapping of ${r.source || "a field"}`}
          empty="No fields mapped yet."
          onAddButtonClick={() => props.onChange((m) => ({ ...m, rows: [...m.rows, newMappingRow()] }))}
          onRemoveButtonClick={(e) => {
            // The index is the row's place in this render's rows; its id names it in the rows as they then are.
            const removed = props.rows[e.detail.itemIndex]?.id;
            props.onChange((m) => ({ ...m, rows: m.rows.filter((r) => r.id !== removed) }));
          }}
          definition={[
            {
              label: "Source field",
              // The editor keys its rows by place: keyed by id, a control (its open list, its focus) stays
              // its row's when a row before it is removed.
              control: (r, i) => (
                <Select
                  key={r.id}
                  selectedOption={fieldOptions.find((o) => o.value === r.source) ?? null}
                  onChange={(e) => setRow(r.id, { source: e.detail.selectedOption.value ?? "" })}
                  options={fieldOptions}
                  filteringType="auto"
                  placeholder="Choose a field"
                  statusType={fields.loading ? "loading" : fields.error ? "error" : "finished"}
                  loadingText={`Loading the fields of ${props.object}`}
                  errorText={fields.error ? apiMessage(fields.error) : undefined}
                  ariaLabel={`Source field ${i + 1}`}
                />
              ),
            },
            {
              label: "Profile field",
              control: (r, i) => (
                <Autosuggest
                  key={r.id}
                  value={r.target}
                  onChange={(e) => setRow(r.id, { target: e.detail.value })}
                  options={PROFILE_TARGETS.map((t) => ({ value: t }))}
                  enteredTextLabel={(v) => `Use: ${v}`}
                  clearAriaLabel={`Clear profile field ${i + 1}`}
                  placeholder="_profile.Attributes.name"
                  ariaLabel={`Profile field ${i + 1}`}
                  empty="No such standard field: any _profile.Attributes.<name> works."
                />
              ),
            },
            {
              label: "Key",
              control: (r, i) => (
                <Select
                  key={r.id}
                  selectedOption={KEY_CHOICES.find((k) => k.value === r.key) ?? KEY_CHOICES[0]}
                  onChange={(e) => setRow(r.id, { key: e.detail.selectedOption.value ?? "" })}
                  options={KEY_CHOICES.map((k) => ({ ...k }))}
                  ariaLabel={`Key ${i + 1}`}
                />
              ),
            },
          ]}
        />
        {errors.length > 0 ? (
          <Alert type="error" header="This mapping cannot be saved yet">
            <ul>
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
