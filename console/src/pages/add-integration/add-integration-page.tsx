import { PlaceholderPage } from "../../components/placeholder-page.tsx";
import type { PageProps } from "../page-props.ts";

/** Add integration (the wizard): /console/domains/:domain/integrations/new. */
export function AddIntegrationPage(_props: PageProps) {
  return <PlaceholderPage title="Add integration" />;
}
