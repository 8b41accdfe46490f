import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** How old a temporary file of ours must be to count as a killed writer's leftover. */
export const STALE_AFTER_MS = 60_000;

/** A temporary name beside `path` that no other writer uses: `<path>.<12 hex>.tmp`. */
export function temporaryPathFor(path: string): string {
  return `${path}.${randomBytes(6).toString("hex")}.tmp`;
}

/**
 * Removes temporary files beside `path` that writers killed before they finished left behind
 * (`<name>.<12 hex>.tmp`, and `<name>.tmp` of earlier versions) once they are older than
 * `STALE_AFTER_MS`: a writer at work now keeps its own. They may hold what `path` holds (a key among
 * them), so none is left to linger.
 */
export function removeStaleTemporaries(path: string, now = Date.now()): void {
  const directory = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${name}.`)) continue;
    const rest = entry.slice(name.length + 1);
    if (rest !== "tmp" && !/^[0-9a-f]{12}\.tmp$/.test(rest)) continue;
    const file = join(directory, entry);
    try {
      if (now - statSync(file).mtimeMs > STALE_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to see: nothing to clean.
    }
  }
}
