import { PlaceholderPage } from "../../components/placeholder-page.tsx";
import type { PageProps } from "../page-props.ts";

/** View objects of one integration: /console/domains/:domain/integrations/:flow/objects. */
export function ViewObjectsPage(_props: PageProps) {
  return <PlaceholderPage title="View objects" />;
}
