import { HostAllowList } from "./host-allow-list.ts";

/** 2xx bodies larger than this stop the read (setting `vendorResponseMaxBytes`). */
const defaultMaxResponseBytes = 128 * 1024 * 1024;
/** Non-2xx bodies are read up to this many bytes; the rest is never read. */
const defaultMaxErrorBodyBytes = 64 * 1024;

/**
 * What every connector's HTTP client enforces whoever opened it (composition root: from the config):
 * the hosts it may contact, and how much of a vendor's answer it reads.
 */
export interface VendorPolicy {
  /** Checked before every request, the token endpoint's included. */
  readonly hosts: HostAllowList;
  /** Largest 2xx body read, in bytes; past it the request fails with class `config`. */
  readonly maxResponseBytes: number;
  /** Largest non-2xx body read, in bytes; the rest is discarded unread. */
  readonly maxErrorBodyBytes: number;
  /**
   * Receives the (capped) body of each refused request, for the operator's debug log. Error messages
   * (which reach API callers) quote only a short sanitized reason.
   */
  readonly debug?: (message: string, fields: Readonly<Record<string, unknown>>) => void;
}

/** A policy with the defaults filled in: any host, 128 MiB answers, 64 KiB error bodies. */
export function vendorPolicy(p: Partial<VendorPolicy> = {}): VendorPolicy {
  return {
    hosts: p.hosts ?? HostAllowList.any(),
    maxResponseBytes: p.maxResponseBytes ?? defaultMaxResponseBytes,
    maxErrorBodyBytes: p.maxErrorBodyBytes ?? defaultMaxErrorBodyBytes,
    ...(p.debug ? { debug: p.debug } : {}),
  };
}
