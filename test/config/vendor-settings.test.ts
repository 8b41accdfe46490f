import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { HostAllowList } from "../../src/connectors/sdk/index.ts";
import { isProfileflowError } from "../../src/core/errors.ts";

describe("vendor settings", () => {
  it("default to any host and a 128 MiB answer cap", () => {
    const c = loadConfig({ env: {} });
    expect(c.vendorHosts).toEqual(["*"]);
    expect(c.vendorResponseMaxBytes).toBe(128 * 1024 * 1024);
    expect(HostAllowList.parse(c.vendorHosts).allowsAny).toBe(true);
  });

  it("read PROFILEFLOW_VENDOR_HOSTS as a comma-separated list that every pattern parser accepts", () => {
    const c = loadConfig({
      env: {
        PROFILEFLOW_VENDOR_HOSTS: "*.my.salesforce.com, 127.0.0.1:*,[::1]:8443",
        PROFILEFLOW_VENDOR_RESPONSE_MAX_BYTES: "1048576",
      },
    });
    expect(c.vendorHosts).toEqual(["*.my.salesforce.com", "127.0.0.1:*", "[::1]:8443"]);
    expect(c.vendorResponseMaxBytes).toBe(1_048_576);
    const hosts = HostAllowList.parse(c.vendorHosts);
    expect(hosts.allows("https://acme.my.salesforce.com")).toBe(true);
    expect(hosts.allows("https://acme.service-now.com")).toBe(false);
  });

  it("refuse a malformed pattern at start with CONFIG_INVALID naming it", () => {
    let err: unknown;
    try {
      loadConfig({ env: { PROFILEFLOW_VENDOR_HOSTS: "https://acme.service-now.com" } });
    } catch (e) {
      err = e;
    }
    expect(isProfileflowError(err) && err.code).toBe("CONFIG_INVALID");
    expect(isProfileflowError(err) && err.details?.["member"]).toBe("vendorHosts.0");
  });

  it("refuse a port above 65535 at start, not when the first connector opens", () => {
    let err: unknown;
    try {
      loadConfig({ env: { PROFILEFLOW_VENDOR_HOSTS: "127.0.0.1:*,x.example:70000" } });
    } catch (e) {
      err = e;
    }
    expect(isProfileflowError(err) && err.details?.["member"]).toBe("vendorHosts.1");
  });
});
