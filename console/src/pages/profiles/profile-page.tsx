import { PlaceholderPage } from "../../components/placeholder-page.tsx";
import type { PageProps } from "../page-props.ts";

/** One unified profile: /console/domains/:domain/profiles/:profileId. */
export function ProfilePage(_props: PageProps) {
  return <PlaceholderPage title="Profile" />;
}
