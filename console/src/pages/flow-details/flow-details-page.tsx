import { PlaceholderPage } from "../../components/placeholder-page.tsx";
import type { PageProps } from "../page-props.ts";

/** Flow details of one integration: /console/domains/:domain/integrations/:flow/details. */
export function FlowDetailsPage(_props: PageProps) {
  return <PlaceholderPage title="Flow details" />;
}
