import type { BreadcrumbGroupProps } from "@cloudscape-design/components/breadcrumb-group";
import type { ReactNode } from "react";
import { AddIntegrationPage } from "./pages/add-integration/add-integration-page.tsx";
import { ConfigurationPage } from "./pages/configuration/configuration-page.tsx";
import { FlowDetailsPage } from "./pages/flow-details/flow-details-page.tsx";
import type { PageProps } from "./pages/page-props.ts";
import { ProfilePage } from "./pages/profiles/profile-page.tsx";
import { ProfilesPage } from "./pages/profiles/profiles-page.tsx";
import { ViewObjectsPage } from "./pages/view-objects/view-objects-page.tsx";
import { href } from "./router.ts";

/** Paths of the console's pages (inside /console); build links with these, never by hand. */
export const paths = {
  signIn: () => "/sign-in",
  configuration: () => "/configuration",
  addIntegration: (domain: string) => `/domains/${enc(domain)}/integrations/new`,
  viewObjects: (domain: string, flow: string) => `/domains/${enc(domain)}/integrations/${enc(flow)}/objects`,
  flowDetails: (domain: string, flow: string) => `/domains/${enc(domain)}/integrations/${enc(flow)}/details`,
  profiles: (domain: string) => `/domains/${enc(domain)}/profiles`,
  profile: (domain: string, profileId: string) => `/domains/${enc(domain)}/profiles/${enc(profileId)}`,
};

function enc(s: string): string {
  return encodeURIComponent(s);
}

export interface RouteDef {
  pattern: string;
  /** The document title and the last breadcrumb. */
  title: string;
  page: (props: PageProps) => ReactNode;
}

/** First match wins; "/" and unknown paths go to the configuration page. */
export const routes: RouteDef[] = [
  { pattern: "/configuration", title: "Customer profiles configuration", page: ConfigurationPage },
  { pattern: "/domains/:domain/integrations/new", title: "Add integration", page: AddIntegrationPage },
  { pattern: "/domains/:domain/integrations/:flow/objects", title: "View objects", page: ViewObjectsPage },
  { pattern: "/domains/:domain/integrations/:flow/details", title: "Flow details", page: FlowDetailsPage },
  { pattern: "/domains/:domain/profiles", title: "Profiles", page: ProfilesPage },
  { pattern: "/domains/:domain/profiles/:profileId", title: "Profile", page: ProfilePage },
];

/** Customer profiles configuration › <domain> › <integration> › <page>. */
export function breadcrumbs(route: RouteDef, params: Record<string, string>): BreadcrumbGroupProps.Item[] {
  const items: BreadcrumbGroupProps.Item[] = [
    { text: "Customer profiles", href: href(paths.configuration()) },
  ];
  if (params["domain"]) {
    items.push({ text: params["domain"], href: href(paths.configuration(), { domain: params["domain"] }) });
  }
  if (params["flow"])
    items.push({ text: params["flow"], href: href(paths.flowDetails(params["domain"]!, params["flow"])) });
  if (params["profileId"]) items.push({ text: "Profiles", href: href(paths.profiles(params["domain"]!)) });
  const last = params["profileId"] ?? route.title;
  if (route.pattern !== "/configuration") items.push({ text: last, href: "#" });
  else items.push({ text: "Configuration", href: "#" });
  return items;
}
