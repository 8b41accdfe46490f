import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDirectory } from "./fsync-directory.ts";
import { removeStaleTemporaries, temporaryPathFor } from "./temporary-file.ts";

/** Errors of a file system that has no hard links (some network, FUSE and FAT mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

export interface CreateFileOnceOptions {
  /** Exactly the file's mode, whatever the umask (default 0600). */
  mode?: number;
  /** How the temporary file is linked to its name (tests stand in a failure here). */
  link?: (existing: string, created: string) => void;
}

/**
 * Creates `path` holding `text` unless it exists, so that nobody ever sees it in part: not a reader, not
 * a restart after a kill or a crash of the machine, not another process creating it at the same moment.
 * The text goes to a temporary file of this call's own (temporaryPathFor), is flushed, then hard-linked
 * to `path`, which fails when `path` exists: the first creator wins and nobody replaces a file someone
 * may already rely on (a key that has encrypted data). The temporary name is removed whatever happens
 * (a killed creator's is removed by a later call once stale: it may hold a key), and the directory is
 * flushed. True when this call created the file, false when it was already there (the caller reads it).
 *
 * On a file system without hard links `path` is created exclusively and written in place instead: still
 * never replaced, and removed again if the write fails, but a reader at that moment, or a kill during
 * the write, can see it in part.
 */
export function createFileOnce(path: string, text: string, options: CreateFileOnceOptions = {}): boolean {
  const mode = options.mode ?? 0o600;
  const link = options.link ?? linkSync;
  removeStaleTemporaries(path);
  const temporary = temporaryPathFor(path);
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
  created ??= createInPlace(path, text, mode);
  fsyncDirectory(dirname(path));
  return created;
}

/** The fallback without hard links: `path` created exclusively (false if it exists), removed again if writing it fails. */
function createInPlace(path: string, text: string, mode: number): boolean {
  try {
    writeWhole(path, text, mode, () => rmSync(path, { force: true }));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Creates `path` (never an existing one) holding `text` with exactly `mode`, flushed; `undo` runs if writing fails after the create. */
function writeWhole(path: string, text: string, mode: number, undo?: () => void): void {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    undo?.();
    throw e;
  }
  closeSync(fd);
}
