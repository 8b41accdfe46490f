import {
  type ConnectionTestResult,
  ConnectorError,
  isConnectorError,
  sanitizeVendorText,
} from "../sdk/index.ts";
import type { ObjectFields } from "./describe.ts";
import type { SalesforceApi } from "./query.ts";
import { objects, type SalesforceObject } from "./spec.ts";

/**
 * Tests a connection: logs in (the token names the instance), checks the REST API answers there, then
 * describes every object and checks the fields a flow needs are visible, so the answer names the first thing
 * that would stop a flow: "refresh token revoked or expired", "instance not found", "user lacks read access
 * to Contact.Email".
 */
export async function testSalesforceConnection(
  api: SalesforceApi,
  fieldsOf: (o: SalesforceObject) => Promise<ObjectFields>,
): Promise<ConnectionTestResult> {
  try {
    try {
      await api.get("limits");
    } catch (e) {
      if (isConnectorError(e) && e.status === 404) {
        throw new ConnectorError(
          "config",
          // The API host comes from the token response: quoted sanitized, like any vendor text.
          `instance not found: no Salesforce REST API v${api.version} at ${sanitizeVendorText(api.auth.instanceUrl(), 120)}`,
        );
      }
      throw e;
    }
    for (const [name, spec] of Object.entries(objects)) {
      const f = await fieldsOf(name as SalesforceObject);
      if (!f.queryable) return failed("config", `user lacks read access to object ${name} (not queryable)`);
      const missing = spec.requiredFields.find((x) => !f.types.has(x));
      if (missing) return failed("config", `user lacks read access to ${name}.${missing}`);
    }
    return { status: "Connected" };
  } catch (e) {
    if (!isConnectorError(e)) throw e;
    return failed(e.class, e.message);
  }
}

function failed(cls: ConnectorError["class"], reason: string): ConnectionTestResult {
  return { status: "Failed", class: cls, reason };
}
