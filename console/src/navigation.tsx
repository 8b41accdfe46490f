import SideNavigation, { type SideNavigationProps } from "@cloudscape-design/components/side-navigation";
import { useClients } from "./aws.ts";
import { flowNameOf, listAllIntegrations } from "./integrations.ts";
import { follow, href } from "./router.ts";
import { paths } from "./routes.tsx";
import { useApi } from "./use-api.ts";

/** The side navigation: the configuration page, and for the current domain its profiles and each integration. */
export function Navigation({ domain, activeHref }: { domain: string | undefined; activeHref: string }) {
  const clients = useClients();
  const integrations = useApi(
    "List integrations",
    async () => (domain ? listAllIntegrations(clients, domain) : []),
    [clients, domain],
  );
  const items: SideNavigationProps.Item[] = [
    { type: "link", text: "Customer profiles configuration", href: href(paths.configuration(), { domain }) },
  ];
  if (domain) {
    items.push({ type: "link", text: "Profiles", href: href(paths.profiles(domain)) });
    const flows = (integrations.data ?? []).map((i) => flowNameOf(i.Uri)).filter((f): f is string => !!f);
    if (flows.length > 0) {
      items.push({ type: "divider" });
      items.push({
        type: "section-group",
        title: "Integrations",
        items: flows.map((flow) => ({
          type: "section",
          text: flow,
          defaultExpanded: activeHref.includes(`/integrations/${encodeURIComponent(flow)}/`),
          items: [
            { type: "link", text: "View objects", href: href(paths.viewObjects(domain, flow)) },
            { type: "link", text: "Flow details", href: href(paths.flowDetails(domain, flow)) },
          ],
        })),
      });
    }
  }
  return (
    <SideNavigation
      header={{
        text: domain ? `Domain ${domain}` : "Customer Profiles",
        href: href(paths.configuration(), { domain }),
      }}
      activeHref={activeHref}
      items={items}
      onFollow={follow}
    />
  );
}
