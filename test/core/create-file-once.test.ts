import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileOnce } from "../../src/core/create-file-once.ts";
import { loadMasterKey } from "../../src/security/master-key.ts";

const masterKeyModule = resolve(import.meta.dirname, "../../src/security/master-key.ts");

describe("createFileOnce", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-once-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the file with exactly the mode given, whatever the umask, and leaves no temporary file", () => {
    const dir = tempDir();
    const path = join(dir, "master.key");
    const umask = process.umask(0o277);
    try {
      expect(createFileOnce(path, "first\n", 0o600)).toBe(true);
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, "utf8")).toBe("first\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });

  it("never replaces a file that exists, and says so", () => {
    const dir = tempDir();
    const path = join(dir, "master.key");
    writeFileSync(path, "kept\n");
    expect(createFileOnce(path, "other\n")).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("kept\n");
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });

  it("throws when the file cannot be made, and leaves nothing behind", () => {
    const dir = tempDir();
    expect(() => createFileOnce(join(dir, "missing", "master.key"), "x")).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("on a file system without hard links the file is still made once, with its mode, and never replaced", () => {
    const dir = tempDir();
    const path = join(dir, "master.key");
    const noLinks = () => {
      throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
    };
    expect(createFileOnce(path, "first\n", 0o600, noLinks)).toBe(true);
    expect(createFileOnce(path, "second\n", 0o600, noLinks)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("first\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["master.key"]);
    // Any other failure of the link is the caller's to see.
    const broken = () => {
      throw Object.assign(new Error("EIO: i/o error, link"), { code: "EIO" });
    };
    expect(() => createFileOnce(join(dir, "other.key"), "x", 0o600, broken)).toThrow(/EIO/);
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });

  it("a master key made while another was left in part by a killed writer is whole", () => {
    const dir = tempDir();
    // What a writer killed mid-write leaves with createFileOnce: its temporary file, never master.key.
    writeFileSync(join(dir, "master.key.0123456789ab.tmp"), "aGFsZiBh");
    const key = loadMasterKey(dir);
    expect(key.length).toBe(32);
    expect(readFileSync(join(dir, "master.key"), "utf8")).toBe(`${key.toString("base64")}\n`);
    expect(loadMasterKey(dir).equals(key)).toBe(true);
  });

  it("processes starting together on one empty directory all get the one master key the file holds", async () => {
    const dir = tempDir();
    const script = `import { loadMasterKey } from ${JSON.stringify(masterKeyModule)};
      const start = Number(process.argv[1]);
      while (Date.now() < start) {}
      process.stdout.write(loadMasterKey(${JSON.stringify(dir)}).toString("base64"));`;
    const start = Date.now() + 1_500;
    const outputs = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<{ code: number | null; out: string; err: string }>((done) => {
            const child = spawn(
              process.execPath,
              ["--import", "tsx", "--input-type=module", "-e", script, String(start)],
              { stdio: ["ignore", "pipe", "pipe"] },
            );
            let out = "";
            let err = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.stderr.on("data", (d: Buffer) => (err += d.toString()));
            child.once("exit", (code) => done({ code, out, err }));
          }),
      ),
    );
    const stored = readFileSync(join(dir, "master.key"), "utf8").trim();
    expect(Buffer.from(stored, "base64").length).toBe(32);
    for (const o of outputs)
      expect({ code: o.code, key: o.out, err: o.err }).toEqual({ code: 0, key: stored, err: "" });
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });
});
