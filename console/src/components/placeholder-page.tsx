import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";

/** A page that is not built yet (replaced by its own page in console/src/pages/<area>/). */
export function PlaceholderPage({ title }: { title: string }) {
  return (
    <Container header={<Header variant="h1">{title}</Header>}>
      <Box color="text-body-secondary">This page is not built yet.</Box>
    </Container>
  );
}
