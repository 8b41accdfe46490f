import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileOnce } from "../../src/core/create-file-once.ts";
import { isProfileflowError } from "../../src/core/errors.ts";
import { STALE_AFTER_MS } from "../../src/core/temporary-file.ts";
import { loadMasterKey } from "../../src/security/master-key.ts";
import { BARRIER_SOURCE, runModuleScript } from "../helpers/run-module-script.ts";

const createModule = resolve(import.meta.dirname, "../../src/core/create-file-once.ts");
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
      expect(createFileOnce(path, "first\n", { mode: 0o640 })).toBe(true);
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, "utf8")).toBe("first\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
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
    expect(createFileOnce(path, "first\n", { link: noLinks })).toBe(true);
    expect(createFileOnce(path, "second\n", { link: noLinks })).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("first\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["master.key"]);
    // Any other failure of the link is the caller's to see.
    const broken = () => {
      throw Object.assign(new Error("EIO: i/o error, link"), { code: "EIO" });
    };
    expect(() => createFileOnce(join(dir, "other.key"), "x", { link: broken })).toThrow(/EIO/);
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });

  it("a creator killed between its write and its link leaves no file; its stale leftover, a copy of its key, is removed later", async () => {
    const dir = tempDir();
    const path = join(dir, "master.key");
    // The process is killed where a crash would hurt most: its text written and flushed, not yet linked.
    const killed = await runModuleScript(
      `import { createFileOnce } from ${JSON.stringify(createModule)};
       createFileOnce(${JSON.stringify(path)}, "a key nobody will use\\n", {
         link: () => process.kill(process.pid, "SIGKILL"),
       });`,
    );
    expect(killed.signal).toBe("SIGKILL");
    const leftovers = readdirSync(dir);
    expect(leftovers).toEqual([expect.stringMatching(/^master\.key\.[0-9a-f]{12}\.tmp$/)]);
    const leftover = join(dir, leftovers[0]!);
    expect(readFileSync(leftover, "utf8")).toBe("a key nobody will use\n");

    // A fresh leftover may be a writer at work: kept. Once stale it goes, and the key made is whole.
    const key = loadMasterKey(dir);
    expect(readdirSync(dir).sort()).toEqual(["master.key", leftovers[0]].sort());
    const old = (Date.now() - 2 * STALE_AFTER_MS) / 1000;
    utimesSync(leftover, old, old);
    expect(loadMasterKey(dir).equals(key)).toBe(true);
    expect(readdirSync(dir)).toEqual(["master.key"]);
    expect(readFileSync(path, "utf8")).toBe(`${key.toString("base64")}\n`);
  });

  it("a master key file that holds no key is refused with CONFIG_INVALID and left as it is", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "master.key"), "");
    let error: unknown;
    try {
      loadMasterKey(dir);
    } catch (e) {
      error = e;
    }
    expect(isProfileflowError(error, "CONFIG_INVALID")).toBe(true);
    expect(readFileSync(join(dir, "master.key"), "utf8")).toBe("");
  });

  it("processes starting together on one empty directory all get the one master key the file holds", async () => {
    const dir = tempDir();
    // All six past their imports before any reads or makes the key: the calls overlap however loaded the machine.
    const barrier = tempDir();
    const script = `import { loadMasterKey } from ${JSON.stringify(masterKeyModule)};
      ${BARRIER_SOURCE}
      waitForAll(${JSON.stringify(barrier)}, 6);
      process.stdout.write(loadMasterKey(${JSON.stringify(dir)}).toString("base64"));`;
    const outputs = await Promise.all(Array.from({ length: 6 }, () => runModuleScript(script)));
    const stored = readFileSync(join(dir, "master.key"), "utf8").trim();
    expect(Buffer.from(stored, "base64").length).toBe(32);
    for (const o of outputs)
      expect({ code: o.code, err: o.err, key: o.out }).toEqual({ code: 0, err: "", key: stored });
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });
});
