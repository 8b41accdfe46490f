import type { Config } from "../config/config.ts";
import { HostAllowList, type VendorPolicy, vendorPolicy } from "../connectors/sdk/index.ts";
import type { Logger } from "../core/logger.ts";

/** The connectors' vendor policy from the config: allowed hosts, answer cap, refused bodies to the debug log. */
export function vendorPolicyOf(
  config: Pick<Config, "vendorHosts" | "vendorResponseMaxBytes">,
  logger?: Logger,
): VendorPolicy {
  return vendorPolicy({
    hosts: HostAllowList.parse(config.vendorHosts),
    maxResponseBytes: config.vendorResponseMaxBytes,
    ...(logger
      ? {
          debug: (message: string, fields: Readonly<Record<string, unknown>>) =>
            logger.debug(fields, message),
        }
      : {}),
  });
}
