import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDirectory } from "./fsync-directory.ts";
import { removeStaleTemporaries, temporaryPathFor } from "./temporary-file.ts";

/**
 * Replaces `path` with `text` so that a reader, or a restart after a kill or a crash of the machine, sees
 * the old content or the new, never a part. The text goes to a temporary file of this call's own
 * (temporaryPathFor, created with exactly `mode` whatever the umask), is flushed, then renamed over
 * `path`, and the directory is flushed so the rename itself is on disk. Whatever fails, the temporary
 * file is removed and the error thrown; leftovers of killed writers are removed once stale
 * (removeStaleTemporaries). Of two writers at once, the later rename wins, each file whole.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  removeStaleTemporaries(path);
  const temporary = temporaryPathFor(path);
  let fd: number | undefined = openSync(temporary, "wx", mode);
  try {
    fchmodSync(fd, mode);
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
  fsyncDirectory(dirname(path));
}
