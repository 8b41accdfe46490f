import { type ConnectionTestResult, type HttpClient, isConnectorError } from "../sdk/index.ts";
import { mePath } from "./spec.ts";

/**
 * Tests a connection with `users/me`: the credentials must be accepted and the user must be an admin,
 * because Zendesk serves incremental exports to admins only.
 */
export async function testZendeskConnection(http: HttpClient): Promise<ConnectionTestResult> {
  let user: Record<string, unknown> | undefined;
  try {
    const res = await http.request({ path: mePath });
    user = (res.body as { user?: Record<string, unknown> } | undefined)?.user;
  } catch (e) {
    if (!isConnectorError(e)) throw e;
    const reason = e.status === 404 ? `Zendesk account not found at this URL: ${e.message}` : e.message;
    return { status: "Failed", class: e.class, reason };
  }
  if (!user || typeof user["id"] !== "number") {
    // Zendesk answers unauthenticated users/me calls with an anonymous user without id.
    return {
      status: "Failed",
      class: "auth",
      reason: "Zendesk did not recognise the credentials (anonymous user)",
    };
  }
  if (user["role"] !== "admin") {
    return {
      status: "Failed",
      class: "config",
      reason: `user ${String(user["email"] ?? user["id"])} is ${String(user["role"])}, not admin: incremental exports need an admin`,
    };
  }
  return { status: "Connected" };
}
