import { ListConnectorEntitiesCommand } from "@aws-sdk/client-appflow";
import {
  ListProfileObjectTypesCommand,
  ListProfileObjectTypeTemplatesCommand,
} from "@aws-sdk/client-customer-profiles";
import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import type { Clients } from "../../aws.ts";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import { allPages } from "./all-pages.ts";
import { MappingEditor } from "./mapping-editor.tsx";
import type { Source } from "./sources.ts";
import type { ObjectPlan, ObjectTypeChoice } from "./wizard-state.ts";

/** What the Integration options page offers: the vendor's objects, its templates, the domain's object types. */
export interface OptionsData {
  objects: { name: string; label: string }[];
  templates: { id: string; object: string }[];
  objectTypes: string[];
}

export async function loadOptions(
  clients: Clients,
  domain: string,
  source: Source,
  connection: string,
): Promise<OptionsData> {
  // Every page of each list: a domain with more than 100 object types, a vendor with many objects.
  const [entities, templates, types] = await Promise.all([
    allPages(
      (nextToken) =>
        clients.appflow.send(
          new ListConnectorEntitiesCommand({
            connectorProfileName: connection,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      (p) => Object.values(p.connectorEntityMap ?? {}).flat(),
      (p) => p.nextToken,
    ),
    allPages(
      (NextToken) =>
        clients.profiles.send(
          new ListProfileObjectTypeTemplatesCommand({ MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
        ),
      (p) => p.Items,
      (p) => p.NextToken,
    ),
    allPages(
      (NextToken) =>
        clients.profiles.send(
          new ListProfileObjectTypesCommand({
            DomainName: domain,
            MaxResults: 100,
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      (p) => p.Items,
      (p) => p.NextToken,
    ),
  ]);
  const objects = entities.map((e) => ({ name: e.name ?? "", label: e.label ?? e.name ?? "" }));
  return {
    objects,
    templates: templates
      .filter((t) => t.SourceName?.toLowerCase() === source.type.toLowerCase())
      .map((t) => ({ id: t.TemplateId ?? "", object: t.SourceObject ?? "" })),
    objectTypes: types.map((t) => t.ObjectTypeName ?? ""),
  };
}

/** The default choice for an object: its source's template when there is one. */
export function defaultChoice(data: OptionsData, object: string): ObjectTypeChoice | undefined {
  const t = data.templates.find((x) => x.object === object);
  return t ? { kind: "template", templateId: t.id } : undefined;
}

const encode = (c: ObjectTypeChoice | undefined): string =>
  !c
    ? ""
    : c.kind === "template"
      ? `template:${c.templateId}`
      : c.kind === "existing"
        ? `existing:${c.objectTypeName}`
        : "mapping";

function choiceOptions(data: OptionsData, object: string): SelectProps.OptionGroup[] {
  return [
    {
      label: "Default object type templates",
      options: data.templates
        .filter((t) => t.object === object)
        .map((t) => ({ value: `template:${t.id}`, label: t.id, description: "Template" })),
    },
    {
      label: "Object types of this domain",
      options: data.objectTypes.map((t) => ({ value: `existing:${t}`, label: t })),
    },
    {
      label: "Your own mapping",
      options: [{ value: "mapping", label: "Create your own mapping", description: "PutProfileObjectType" }],
    },
  ].filter((g) => g.options.length > 0);
}

/** The seed's Integration options page: source objects and their object types. */
export function OptionsStep(props: {
  domain: string;
  source: Source;
  connection: string;
  data: OptionsData | undefined;
  loading: boolean;
  objects: ObjectPlan[];
  showErrors: boolean;
  /** Gets an update of the plan as it is when React applies it, so that two edits before a render both count. */
  onObjects: (update: (o: ObjectPlan[]) => ObjectPlan[]) => void;
}) {
  const data = props.data ?? { objects: [], templates: [], objectTypes: [] };
  const plan = new Map(props.objects.map((o) => [o.object, o]));
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    data.objects,
    {
      filtering: {
        empty: <EmptyState title="No objects" subtitle={`${props.source.label} offers no objects.`} />,
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["name", "label"],
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  const setChoice = (object: string, value: string) => {
    let choice: ObjectTypeChoice | undefined;
    if (value.startsWith("template:")) choice = { kind: "template", templateId: value.slice(9) };
    else if (value.startsWith("existing:")) choice = { kind: "existing", objectTypeName: value.slice(9) };
    else choice = { kind: "mapping", objectTypeName: `${props.source.type}-${object}-custom`, rows: [] };
    props.onObjects((objects) => [...objects.filter((o) => o.object !== object), { object, choice }]);
  };
  const mappings = props.objects.filter((o) => o.choice?.kind === "mapping");
  return (
    <SpaceBetween size="l">
      <Table
        {...collectionProps}
        items={items}
        loading={props.loading}
        loadingText={`Loading ${props.source.label} objects`}
        trackBy="name"
        selectionType="multi"
        ariaLabels={{
          selectionGroupLabel: "Source objects",
          allItemsSelectionLabel: () => "Select all objects",
          itemSelectionLabel: (_s, o) => `Ingest ${o.name}`,
        }}
        selectedItems={data.objects.filter((o) => plan.has(o.name))}
        onSelectionChange={(e) => {
          // The table reports the whole selection as of the last render: apply only what this event
          // changed, so an update queued since then (another toggle, a chosen object type) is kept.
          const selected = new Set(e.detail.selectedItems.map((o) => o.name));
          const added = [...selected].filter((name) => !plan.has(name));
          const removed = new Set([...plan.keys()].filter((name) => !selected.has(name)));
          props.onObjects((objects) => [
            ...objects.filter((o) => !removed.has(o.object)),
            ...added
              .filter((name) => !objects.some((o) => o.object === name))
              .map((name) => ({ object: name, choice: defaultChoice(data, name) })),
          ]);
        }}
        header={
          <Header
            variant="h2"
            counter={props.data ? `(${props.objects.length}/${data.objects.length})` : undefined}
            description="Choose which source objects you want to ingest and select their object type. Object types store your ingested data and define how objects are mapped to profiles."
          >
            Source objects
          </Header>
        }
        columnDefinitions={[
          {
            id: "name",
            header: "Source object",
            cell: (o) => o.name,
            sortingField: "name",
            isRowHeader: true,
          },
          { id: "label", header: "Label", cell: (o) => o.label, sortingField: "label" },
          {
            id: "type",
            header: "Object type",
            minWidth: 240,
            cell: (o) => {
              const p = plan.get(o.name);
              if (!p) return "Not ingested";
              const options = choiceOptions(data, o.name);
              const selected = options.flatMap((g) => g.options).find((x) => x.value === encode(p.choice));
              return (
                <Select
                  selectedOption={selected ?? null}
                  onChange={(e) => setChoice(o.name, e.detail.selectedOption.value ?? "")}
                  options={options}
                  filteringType="auto"
                  filteringPlaceholder="Find an object type"
                  filteringAriaLabel="Filter object types"
                  filteringClearAriaLabel="Clear filter"
                  placeholder="Choose an object type"
                  ariaLabel={`Object type for ${o.name}`}
                  invalid={props.showErrors && !p.choice}
                  expandToViewport
                />
              );
            },
          },
        ]}
        filter={<TableFilter filterProps={filterProps} noun="objects" matches={filteredItemsCount} />}
        pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
        footer={
          props.showErrors && (props.objects.length === 0 || props.objects.some((o) => !o.choice))
            ? props.objects.length === 0
              ? "Choose at least one source object."
              : "Choose an object type for every selected object."
            : undefined
        }
        wrapLines
      />
      {mappings.map((m) =>
        m.choice?.kind === "mapping" ? (
          <MappingEditor
            key={m.object}
            connection={props.connection}
            object={m.object}
            name={m.choice.objectTypeName}
            rows={m.choice.rows}
            showErrors={props.showErrors}
            onChange={(update) =>
              props.onObjects((objects) =>
                objects.map((o) => {
                  if (o.object !== m.object || o.choice?.kind !== "mapping") return o;
                  const next = update({ name: o.choice.objectTypeName, rows: o.choice.rows });
                  return {
                    object: o.object,
                    choice: { kind: "mapping", objectTypeName: next.name, rows: next.rows },
                  };
                }),
              )
            }
          />
        ) : null,
      )}
    </SpaceBetween>
  );
}
