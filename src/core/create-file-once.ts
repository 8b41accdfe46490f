import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Creates `path` holding `text` unless it exists, so that nobody ever sees it in part: not a reader, not
 * a restart after a kill or a crash of the machine, not another process creating it at the same moment.
 * The text goes to a temporary file of this call's own (`<path>.<random>.tmp`, created with `mode`), is
 * set to exactly `mode` and flushed, then hard-linked to `path`, which fails when `path` exists: the first creator wins and nobody
 * replaces a file someone may already rely on (a key that has encrypted data). The temporary name is
 * removed whatever happens, and the directory is flushed. True when this call created the file, false
 * when it was already there (the caller reads it).
 */
export function createFileOnce(path: string, text: string, mode = 0o600): boolean {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  let created = false;
  try {
    const fd = openSync(temporary, "wx", mode);
    try {
      fchmodSync(fd, mode); // exactly `mode`, whatever the umask took away
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  const directory = openSync(dirname(path), "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
  return created;
}
