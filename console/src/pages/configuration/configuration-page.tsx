import SpaceBetween from "@cloudscape-design/components/space-between";
import { href, navigate } from "../../router.ts";
import { paths } from "../../routes.tsx";
import type { PageProps } from "../page-props.ts";
import { DomainsTable } from "./domains-table.tsx";
import { IntegrationsTable } from "./integrations-table.tsx";

/** Customer profiles configuration: the domains (create one), and the selected domain's integrations. */
export function ConfigurationPage({ query }: PageProps) {
  const domain = query.get("domain") ?? undefined;
  const select = (name: string | undefined) => navigate(href(paths.configuration(), { domain: name }));
  return (
    <SpaceBetween size="l">
      <DomainsTable selected={domain} onSelect={select} />
      {domain ? <IntegrationsTable domain={domain} /> : null}
    </SpaceBetween>
  );
}
