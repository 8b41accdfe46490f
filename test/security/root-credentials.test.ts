import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { composeServer } from "../../src/main.ts";

describe("the generated root key's credentials file", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a start that could not write the file stores no root key, so the next start makes one and writes it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pf-root-"));
    dirs.push(dataDir);
    const config = loadConfig({ flags: { port: 0, dataDir, logLevel: "warn" } });
    // Something in the way of the file: the first start fails while writing it.
    mkdirSync(join(dataDir, "credentials"));
    writeFileSync(join(dataDir, "credentials", "in-the-way"), "x");
    await expect(composeServer(config)).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dataDir).filter((f) => f.startsWith("credentials"))).toEqual(["credentials"]);
    rmSync(join(dataDir, "credentials"), { recursive: true });

    const server = await composeServer(config);
    try {
      expect(server.rootKeyGenerated).toBe(true);
      const file = readFileSync(join(dataDir, "credentials"), "utf8");
      expect(file).toBe(
        `[profileflow]\naws_access_key_id = ${server.rootKey.accessKeyId}\naws_secret_access_key = ${server.rootKey.secretAccessKey}\n`,
      );
      expect((await server.accessKeys.root())?.accessKeyId).toBe(server.rootKey.accessKeyId);
    } finally {
      await server.close();
    }
  });
});
