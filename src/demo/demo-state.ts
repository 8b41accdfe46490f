import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFileOnce } from "../core/create-file-once.ts";
import { removeStaleTemporaries } from "../core/temporary-file.ts";
import { writeFileAtomic } from "../core/write-file-atomic.ts";
import { makePrivateDir } from "../db/private-files.ts";

/** What a demo run keeps for the next one (demo.json). */
export interface DemoState {
  /** The ingestion start and the history end (sandbox ms), fixed by the first run. */
  since: number;
  historyEnd: number;
  runs: number;
  /** Keyed fingerprints (`configFingerprint`) of the connector profile configs sent, by profile name. */
  sent?: Record<string, string>;
}

/** The demo's data directory, opened: the previous run's state, the fingerprint key, and how to save. */
export interface DemoStateFile {
  previous: DemoState | undefined;
  /** The key of the connector profile fingerprints (demo.key): they cover credentials, so never bare hashes. */
  fingerprintKey: Buffer;
  /** Why the data directory stays open to other users, when it does (to be shown). */
  warning: string | undefined;
  save(state: DemoState): void;
}

/**
 * Makes the demo's data directory 0700 (it holds the sandboxes' credentials, the server's data and
 * these files), reads demo.json, and reads or creates demo.key (32 random bytes, 0600). demo.json is
 * replaced whole on each save (writeFileAtomic) by a file created 0600.
 */
export function openDemoState(dataDir: string): DemoStateFile {
  const warning = makePrivateDir(dataDir);
  const statePath = join(dataDir, "demo.json");
  const keyPath = join(dataDir, "demo.key");
  // Whole or not at all, and never replaced: fingerprints made under it stay comparable.
  if (!existsSync(keyPath)) createFileOnce(keyPath, `${randomBytes(32).toString("base64")}\n`);
  else removeStaleTemporaries(keyPath);
  chmodSync(keyPath, 0o600);
  const fingerprintKey = Buffer.from(readFileSync(keyPath, "utf8").trim(), "base64");
  if (fingerprintKey.length !== 32)
    throw new Error(`${keyPath} is not a demo key: remove it to make a new one`);
  const previous = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, "utf8")) as DemoState)
    : undefined;
  return {
    previous,
    fingerprintKey,
    warning,
    save(state) {
      // A new file each time, created 0600: an older one left readable by others is replaced.
      writeFileAtomic(statePath, JSON.stringify(state), 0o600);
    },
  };
}
