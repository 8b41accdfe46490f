import { hkdfSync } from "node:crypto";

/**
 * A 32-byte key for one purpose, derived from the master key with HKDF-SHA256, so that no two uses
 * (sealing secrets, fingerprinting requests) share key material.
 */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), `profileflow/${purpose}`, 32));
}
