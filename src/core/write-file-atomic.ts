import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

/**
 * Replaces `path` with `text` so that a reader (or a restart after a kill) sees the old content or
 * the new, never a part: the text goes to a temporary file beside it, is flushed, then renamed over.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temporary, path);
}
