import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFileOnce } from "../core/create-file-once.ts";
import { ProfileflowError } from "../core/errors.ts";
import { removeStaleTemporaries } from "../core/temporary-file.ts";

/** A key's file: 44 base64 characters and a newline. */
const KEY_FILE_CHARS = 45;

/**
 * The master key that wraps every stored secret: given (base64, 32 bytes) or kept in
 * `<dataDir>/master.key` (mode 0600), created on first start. The file appears whole or not at all
 * (createFileOnce): a start killed while making it leaves no key, so the next start makes one, and of two
 * processes starting together on one directory the first to create it wins and both use its key. A
 * file that holds no key is refused (CONFIG_INVALID), never replaced: what is stored may be sealed under
 * the key it held.
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
    if (createFileOnce(file, `${key.toString("base64")}\n`)) return key;
  }
  removeStaleTemporaries(file);
  return readKey(file);
}

/** The key in `file`, read again for up to a second while it is shorter than a key's file (being written in place). */
function readKey(file: string): Buffer {
  const until = Date.now() + 1_000;
  let text = readFileSync(file, "utf8");
  while (text.length < KEY_FILE_CHARS && Date.now() < until) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    text = readFileSync(file, "utf8");
  }
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new ProfileflowError(
      "CONFIG_INVALID",
      `${file} does not hold a 32-byte base64 key (${text.length} characters). It is not replaced: secrets stored under the key it held cannot be read without it. Restore it from a backup, or set PROFILEFLOW_MASTER_KEY; with a new data directory a new key is made.`,
      { file },
    );
  }
  return key;
}
