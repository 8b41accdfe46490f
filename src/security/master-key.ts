import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The master key that wraps every stored secret: given (base64, 32 bytes) or kept in
 * `<dataDir>/master.key` (mode 0600), created on first start.
 */
export function loadMasterKey(dataDir: string, given?: string): Buffer {
  if (given) {
    const key = Buffer.from(given, "base64");
    if (key.length !== 32) throw new Error("PROFILEFLOW_MASTER_KEY must be 32 bytes, base64-encoded");
    return key;
  }
  const file = join(dataDir, "master.key");
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return key;
}
