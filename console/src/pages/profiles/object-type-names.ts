import { ListProfileObjectTypesCommand } from "@aws-sdk/client-customer-profiles";
import type { Clients } from "../../aws.ts";

/** The names of a domain's object types (all pages of ListProfileObjectTypes). */
export async function objectTypeNames(c: Clients, domain: string): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListProfileObjectTypesCommand({
        DomainName: domain,
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    names.push(...(page.Items ?? []).map((t) => t.ObjectTypeName ?? "").filter(Boolean));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}
