import { PlaceholderPage } from "../../components/placeholder-page.tsx";
import type { PageProps } from "../page-props.ts";

/** Profiles search: /console/domains/:domain/profiles. */
export function ProfilesPage(_props: PageProps) {
  return <PlaceholderPage title="Profiles" />;
}
