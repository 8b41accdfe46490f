import Box from "@cloudscape-design/components/box";
import Checkbox from "@cloudscape-design/components/checkbox";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Tiles from "@cloudscape-design/components/tiles";
import { SOURCES, type SourceId, sourceById } from "./sources.ts";

/** The seed's Select source page: the four applications, their requirements, and the checkbox. */
export function SelectSourceStep(props: {
  source: SourceId | undefined;
  readRequirements: boolean;
  showErrors: boolean;
  onSource: (id: SourceId) => void;
  onRead: (read: boolean) => void;
}) {
  const source = sourceById(props.source);
  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description="The external application you want to get customer profiles data from."
          >
            Source
          </Header>
        }
      >
        <FormField
          label="Source"
          errorText={props.showErrors && !source ? "Choose a source." : undefined}
          stretch
        >
          <Tiles
            ariaLabel="Source"
            value={props.source ?? null}
            onChange={(e) => props.onSource(e.detail.value as SourceId)}
            columns={4}
            items={SOURCES.map((s) => ({
              value: s.id,
              label: s.label,
              description: s.bulk ? "Bulk ingestion of history" : "Continuous ingestion",
            }))}
          />
        </FormField>
      </Container>
      {source ? (
        <Container header={<Header variant="h2">{`${source.label} integration requirements`}</Header>}>
          <SpaceBetween size="m">
            <ul>
              {source.requirements.map((r) => (
                <li key={r}>
                  <Box variant="span">{r}</Box>
                </li>
              ))}
            </ul>
            <FormField
              errorText={
                props.showErrors && !props.readRequirements
                  ? "Read the integration requirements and check the box to go on."
                  : undefined
              }
            >
              <Checkbox checked={props.readRequirements} onChange={(e) => props.onRead(e.detail.checked)}>
                I’ve read the integration requirements
              </Checkbox>
            </FormField>
          </SpaceBetween>
        </Container>
      ) : null}
    </SpaceBetween>
  );
}
