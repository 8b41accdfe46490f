import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Replaces `path` with `text` so that a reader, or a restart after a kill or a crash of the machine, sees
 * the old content or the new, never a part. The text goes to `<path>.tmp` (created anew with exactly `mode`; one
 * left by a killed writer is replaced), is flushed, then renamed over `path`, and the directory is flushed
 * so the rename itself is on disk. Whatever fails, the temporary file is removed and the error thrown.
 * One writer per path at a time.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const temporary = `${path}.tmp`;
  rmSync(temporary, { force: true });
  let fd: number | undefined = openSync(temporary, "wx", mode);
  try {
    fchmodSync(fd, mode); // exactly `mode`, whatever the umask took away
    writeFileSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The write's error is the one to report.
      }
    }
    rmSync(temporary, { force: true });
    throw e;
  }
  const directory = openSync(dirname(path), "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
