import { type ListIntegrationItem, ListIntegrationsCommand } from "@aws-sdk/client-customer-profiles";
import type { Clients } from "./aws.ts";

/** An integration's flow name, from its Uri (arn:aws:appflow:…:flow/<name>); undefined for other kinds. */
export function flowNameOf(uri: string | undefined): string | undefined {
  const m = /:flow\/(.+)$/.exec(uri ?? "");
  return m?.[1];
}

/** Every integration of a domain (all pages of ListIntegrations). */
export async function listAllIntegrations(c: Clients, domain: string): Promise<ListIntegrationItem[]> {
  const out: ListIntegrationItem[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListIntegrationsCommand({
        DomainName: domain,
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    out.push(...(page.Items ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}
