import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Errors of a file system that has no hard links (some network, FUSE and FAT mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

/**
 * Creates `path` holding `text` unless it exists, so that nobody ever sees it in part: not a reader, not
 * a restart after a kill or a crash of the machine, not another process creating it at the same moment.
 * The text goes to a temporary file of this call's own (`<path>.<random>.tmp`, created with exactly
 * `mode`), is flushed, then hard-linked to `path`, which fails when `path` exists: the first creator
 * wins and nobody replaces a file someone may already rely on (a key that has encrypted data). The
 * temporary name is removed whatever happens, and the directory is flushed. True when this call created
 * the file, false when it was already there (the caller reads it).
 *
 * On a file system without hard links `path` is created exclusively and written in place instead: still
 * never replaced, but a kill during the write can leave it in part there. `link` is for tests.
 */
export function createFileOnce(path: string, text: string, mode = 0o600, link = linkSync): boolean {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  let created: boolean | undefined;
  try {
    writeWhole(temporary, text, mode);
    try {
      link(temporary, path);
      created = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      if (code === "EEXIST") created = false;
      else if (!NO_HARD_LINKS.has(code)) throw e;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  if (created === undefined) {
    try {
      writeWhole(path, text, mode);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      created = false;
    }
  }
  const directory = openSync(dirname(path), "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
  return created;
}

/** Creates `path` (never an existing one) holding `text` with exactly `mode` (whatever the umask), flushed. */
function writeWhole(path: string, text: string, mode: number): void {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
