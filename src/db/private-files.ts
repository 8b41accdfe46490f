import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";

const STICKY = 0o1000;

/**
 * Creates the data directory (0700) if needed, and makes an existing one 0700 when this user owns it,
 * whoever created it: it holds the database, the master key and the root credentials. A directory
 * owned by another user, or a shared sticky one such as /tmp, is left as it is; the answer then says
 * why it stays open to others (the caller logs it), and the files inside are 0600 all the same.
 */
export function makePrivateDir(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if ((st.mode & 0o077) === 0) return undefined;
  const open = `the data directory ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`;
  if (!ownedByUs(st.uid)) return `${open} and belongs to another user: make it 0700 or choose another --data`;
  if (st.mode & STICKY)
    return `${open} and is a shared (sticky) directory: give profileflow a directory of its own`;
  chmodSync(dir, 0o700);
  return undefined;
}

/**
 * Makes a SQLite database's files 0600 before SQLite opens them: the main file is created empty with
 * that mode (SQLite creates its -wal, -shm and -journal with the main file's mode), and existing
 * files of ours left readable by others (an older profileflow made them 0644) are narrowed.
 */
export function makeDatabaseFilesPrivate(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (!existsSync(f)) continue;
    const st = statSync(f);
    if ((st.mode & 0o077) !== 0 && ownedByUs(st.uid)) chmodSync(f, 0o600);
  }
}

function ownedByUs(uid: number): boolean {
  // Windows has no uids (process.getuid is absent) and no POSIX modes worth changing.
  return process.getuid === undefined || process.getuid() === uid;
}
