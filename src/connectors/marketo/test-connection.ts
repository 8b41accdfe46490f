import { type ConnectionTestResult, type HttpClient, isConnectorError } from "../sdk/index.ts";

/**
 * Tests a connection: a token from the identity service, then one call of each kind a flow makes (lead
 * describe, a paging token, the bulk job list), so the answer names the first thing that would stop a flow.
 */
export async function testMarketoConnection(
  http: HttpClient,
  now: () => number,
): Promise<ConnectionTestResult> {
  const steps: [what: string, run: () => Promise<unknown>][] = [
    ["read lead fields", () => http.request({ path: "/rest/v1/leads/describe.json" })],
    [
      "read activities",
      () =>
        http.request({
          path: "/rest/v1/activities/pagingtoken.json",
          query: { sinceDatetime: `${new Date(now() - 86_400_000).toISOString().slice(0, 19)}Z` },
        }),
    ],
    [
      "use Bulk Extract",
      () => http.request({ path: "/bulk/v1/leads/export.json", query: { status: "Processing" } }),
    ],
  ];
  for (const [what, run] of steps) {
    try {
      await run();
    } catch (e) {
      if (!isConnectorError(e)) throw e;
      const reason =
        e.class === "auth" ||
        e.class === "transient" ||
        e.class === "rate_limited" ||
        e.class === "quota_exhausted"
          ? e.message
          : e.status === 404 || e.vendorCode === "610"
            ? `Marketo instance not found at this URL: ${e.message}`
            : `the API user cannot ${what}: ${e.message}`;
      return { status: "Failed", class: e.class, reason };
    }
  }
  return { status: "Connected" };
}
