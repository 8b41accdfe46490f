import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STALE_AFTER_MS } from "../../src/core/temporary-file.ts";
import { writeFileAtomic } from "../../src/core/write-file-atomic.ts";

const modulePath = resolve(import.meta.dirname, "../../src/core/write-file-atomic.ts");

describe("writeFileAtomic", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-atomic-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("replaces the file's content, with exactly the mode given whatever the umask (0600 by default), and leaves no temporary file", () => {
    const dir = tempDir();
    const path = join(dir, "state.json");
    const umask = process.umask(0o277);
    try {
      writeFileAtomic(path, "first", 0o640);
      expect(statSync(path).mode & 0o777).toBe(0o640);
    } finally {
      process.umask(umask);
    }
    writeFileAtomic(path, "second");
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("removes the stale temporary files killed writers left, keeps a fresh one, and removes its own when the rename fails", () => {
    const dir = tempDir();
    const path = join(dir, "state.json");
    const old = (Date.now() - 2 * STALE_AFTER_MS) / 1000;
    for (const leftover of [`${path}.tmp`, `${path}.0123456789ab.tmp`]) {
      writeFileSync(leftover, "half a wri", { mode: 0o644 });
      utimesSync(leftover, old, old);
    }
    writeFileSync(`${path}.ba9876543210.tmp`, "a writer at work"); // fresh: another writer's, kept
    writeFileSync(join(dir, "state.json.other"), "not ours"); // not a temporary name: kept
    writeFileAtomic(path, "whole", 0o600);
    expect(readFileSync(path, "utf8")).toBe("whole");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual([
      "state.json",
      "state.json.ba9876543210.tmp",
      "state.json.other",
    ]);
    // A directory where the file should be: the rename fails, the error comes out, nothing is left behind.
    const blocked = join(dir, "blocked");
    mkdirSync(blocked);
    writeFileSync(join(blocked, "inside"), "x");
    expect(() => writeFileAtomic(blocked, "text")).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir).sort()).toEqual([
      "blocked",
      "state.json",
      "state.json.ba9876543210.tmp",
      "state.json.other",
    ]);
  });

  it("a reader in another process never sees a part of a write", async () => {
    const dir = tempDir();
    const path = join(dir, "summary.json");
    writeFileAtomic(path, JSON.stringify({ n: 0, pad: "" }));
    // The writer rewrites a 2 MB JSON document as fast as it can until killed.
    const script = `import { writeFileAtomic } from ${JSON.stringify(modulePath)};
      const pad = "x".repeat(2_000_000);
      for (let n = 1; ; n++) writeFileAtomic(${JSON.stringify(path)}, JSON.stringify({ n, pad }));`;
    const writer = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const exited = new Promise((r) => writer.once("exit", r));
    try {
      const seen = new Set<number>();
      const deadline = Date.now() + 20_000;
      // Reads until the writer has replaced the file many times (or the deadline).
      while (seen.size < 30 && Date.now() < deadline) {
        const doc = JSON.parse(readFileSync(path, "utf8")) as { n: number; pad: string };
        expect(doc.pad.length === 0 || doc.pad.length === 2_000_000).toBe(true);
        seen.add(doc.n);
        await new Promise((r) => setImmediate(r));
      }
      expect(seen.size).toBeGreaterThanOrEqual(30);
    } finally {
      writer.kill("SIGKILL");
      await exited;
    }
  }, 30_000);
});
