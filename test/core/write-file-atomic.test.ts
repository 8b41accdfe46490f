import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/core/write-file-atomic.ts";

const modulePath = resolve(import.meta.dirname, "../../src/core/write-file-atomic.ts");

describe("writeFileAtomic", () => {
  it("replaces the file's content, with the mode given, and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-atomic-"));
    const path = join(dir, "state.json");
    writeFileAtomic(path, "first", 0o600);
    writeFileAtomic(path, "second", 0o600);
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("a reader in another process never sees a part of a write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-atomic-"));
    const path = join(dir, "summary.json");
    writeFileAtomic(path, JSON.stringify({ n: 0, pad: "" }));
    // The writer rewrites a 2 MB JSON document as fast as it can until killed.
    const script = `import { writeFileAtomic } from ${JSON.stringify(modulePath)};
      const pad = "x".repeat(2_000_000);
      for (let n = 1; ; n++) writeFileAtomic(${JSON.stringify(path)}, JSON.stringify({ n, pad }));`;
    const writer = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "inherit"],
    });
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
    }
  }, 30_000);
});
