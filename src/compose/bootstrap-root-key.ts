import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { writeFileAtomic } from "../core/write-file-atomic.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { inDomainTransaction } from "../profiles/domain-transaction.ts";
import { type AccessKey, type AccessKeyStore, generateAccessKey } from "../security/access-key-store.ts";

/** The lock the root key is made under (inDomainTransaction's: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL). */
const ROOT_KEY_LOCK = "profileflow root access key";

/**
 * The root access key: from PROFILEFLOW_ACCESS_KEY_ID/SECRET (created or updated), else the one
 * already stored, else a new one written to `<dataDir>/credentials` (mode 0600).
 */
export async function bootstrapRootKey(
  config: Config,
  store: AccessKeyStore,
  database: Pick<DatabaseHandle, "db" | "dialect">,
): Promise<{ key: AccessKey; generated: boolean }> {
  if (config.accessKeyId && config.secretAccessKey) {
    const key = {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      name: "root",
      isRoot: true,
    };
    await store.put(key);
    return { key, generated: false };
  }
  if (config.accessKeyId || config.secretAccessKey) {
    throw new Error("PROFILEFLOW_ACCESS_KEY_ID and PROFILEFLOW_SECRET_ACCESS_KEY must be given together");
  }
  const existing = await store.root();
  if (existing) return { key: existing, generated: false };
  // Under a lock, so that of processes starting together on one new database exactly one makes the
  // root key and writes its file; the others wait, then find it.
  return inDomainTransaction(database.db, database.dialect, ROOT_KEY_LOCK, async (trx) => {
    const found = await store.root(trx);
    if (found) return { key: found, generated: false };
    const key = generateAccessKey("root", true);
    // The file first, whole (writeFileAtomic), the key stored after: a start killed in between leaves a
    // file whose key was never stored, replaced by the next start's; the other order could store a root
    // key whose secret nobody was ever given. (PostgreSQL with the master key given: the data directory
    // may not exist yet.)
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(
      join(config.dataDir, "credentials"),
      `[profileflow]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
      0o600,
    );
    await store.put(key, trx);
    return { key, generated: true };
  });
}
