import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFileOnce } from "../core/create-file-once.ts";

/**
 * The master key that wraps every stored secret: given (base64, 32 bytes) or kept in
 * `<dataDir>/master.key` (mode 0600), created on first start. The file appears whole or not at all
 * (createFileOnce): a start killed while making it leaves no key, so the next start makes one, and of two
 * processes starting together on one directory the first to create it wins and both use its key.
 */
export function loadMasterKey(dataDir: string, given?: string): Buffer {
  if (given) {
    const key = Buffer.from(given, "base64");
    if (key.length !== 32) throw new Error("PROFILEFLOW_MASTER_KEY must be 32 bytes, base64-encoded");
    return key;
  }
  const file = join(dataDir, "master.key");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    if (createFileOnce(file, `${key.toString("base64")}\n`, 0o600)) return key;
  }
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
