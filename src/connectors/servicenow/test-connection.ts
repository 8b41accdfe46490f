import { type ConnectionTestResult, type HttpClient, isConnectorError } from "../sdk/index.ts";
import { objects, tablePath } from "./spec.ts";

/**
 * Tests a connection: logs in and reads one row of every object and of `sys_audit_delete`, so the answer
 * names the first thing that would stop a flow ("user lacks read access to table incident").
 */
export async function testServiceNowConnection(http: HttpClient): Promise<ConnectionTestResult> {
  for (const table of [...Object.keys(objects), "sys_audit_delete"]) {
    try {
      await http.request({
        path: tablePath(table),
        query: { sysparm_limit: 1, sysparm_fields: "sys_id", sysparm_no_count: "true" },
      });
    } catch (e) {
      if (!isConnectorError(e)) throw e;
      return { status: "Failed", class: e.class, reason: reasonFor(e.status, e.message, table) };
    }
  }
  return { status: "Connected" };
}

function reasonFor(status: number | undefined, message: string, table: string): string {
  const forTable = table === "sys_audit_delete" ? `${table} (deletions cannot be read)` : table;
  if (status === 403) return `user lacks read access to table ${forTable}: ${message}`;
  if (status === 404 && message.includes("Invalid table"))
    return `table ${forTable} does not exist on this instance`;
  if (status === 404) return `instance not found (no Table API at this URL): ${message}`;
  return message;
}
