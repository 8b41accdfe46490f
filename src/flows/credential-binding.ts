import type { HostAllowList } from "../connectors/sdk/index.ts";
import { ProfileflowError } from "../core/errors.ts";

const base = "connectorProfileConfig";

/** The `scheme://host:port` credentials are sent to, or undefined for a value that is not a URL. */
function originOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Refuses an instanceUrl whose host the `vendorHosts` setting does not allow (checked before any test). */
export function assertAllowedVendorHost(hosts: HostAllowList, key: string, instanceUrl: unknown): void {
  const member = `${base}.connectorProfileProperties.${key}.instanceUrl`;
  let host: string;
  try {
    host = new URL(String(instanceUrl)).host;
  } catch {
    throw new ProfileflowError("VALIDATION_FAILED", `${member} must be an http(s) URL.`, { member });
  }
  if (!hosts.allows(String(instanceUrl))) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `${member}: ${host} is not an allowed vendor host (setting vendorHosts).`,
      { member },
    );
  }
}

/**
 * Stored credentials stay bound to the host they were given for: an update that moves instanceUrl to
 * another scheme, host or port must carry the credentials again, or nothing stored is ever sent there.
 */
export function assertCredentialsFollowHost(
  key: string,
  stored: Readonly<Record<string, unknown>> | undefined,
  properties: Readonly<Record<string, unknown>>,
  credentialsGiven: boolean,
): void {
  if (credentialsGiven) return;
  const before = originOf(stored?.["instanceUrl"]);
  const after = originOf(properties["instanceUrl"]);
  if (before !== undefined && before === after) return;
  const member = `${base}.connectorProfileCredentials.${key}`;
  throw new ProfileflowError(
    "VALIDATION_FAILED",
    `${member} is required when instanceUrl changes (${before ?? "none"} to ${after ?? "none"}): ` +
      "stored credentials are only sent to the host they were given for.",
    { member },
  );
}
