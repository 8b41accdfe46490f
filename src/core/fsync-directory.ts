import { closeSync, fsyncSync, openSync } from "node:fs";

/** What opening or flushing a directory answers where a file system cannot do it (Windows, some FUSE and network mounts). */
const CANNOT = new Set(["EISDIR", "EPERM", "EACCES", "EINVAL", "ENOTSUP", "EOPNOTSUPP", "EBADF"]);

/**
 * Flushes a directory, so that a file just created or renamed in it is still there after a crash of the
 * machine. Where the file system cannot flush a directory, nothing is done: the file's own content is
 * already flushed, and refusing to go on would stop the program on such systems for good.
 */
export function fsyncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, "r");
  } catch (e) {
    if (CANNOT.has((e as NodeJS.ErrnoException).code ?? "")) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!CANNOT.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
  } finally {
    closeSync(fd);
  }
}
