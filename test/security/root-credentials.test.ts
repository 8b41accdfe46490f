import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { composeServer } from "../../src/main.ts";
import { BARRIER_SOURCE, runModuleScript } from "../helpers/run-module-script.ts";
import { createPostgresDatabase, postgresAvailable, testDialects } from "../helpers/test-database.ts";

const configModule = resolve(import.meta.dirname, "../../src/config/config.ts");
const mainModule = resolve(import.meta.dirname, "../../src/main.ts");

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
      expect(statSync(join(dataDir, "credentials")).mode & 0o777).toBe(0o600);
      expect((await server.accessKeys.root())?.accessKeyId).toBe(server.rootKey.accessKeyId);
    } finally {
      await server.close();
    }
  });

  for (const dialect of testDialects) {
    it(`${dialect}: of processes starting together on one new database, exactly one makes the root key, and all use it`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "pf-root-"));
      dirs.push(dataDir);
      const pgDb = dialect === "postgres" ? await createPostgresDatabase() : undefined;
      try {
        const env: Record<string, string> = pgDb ? { DATABASE_URL: pgDb.url } : {};
        // Migrated first, alone (as docs/operations.md asks of a first start): the race here is the root key's.
        await (await openDatabase({ databaseUrl: pgDb?.url, dataDir })).close();
        // All four past their imports before any composes: their starts overlap however loaded the machine.
        const barrier = mkdtempSync(join(tmpdir(), "pf-barrier-"));
        dirs.push(barrier);
        const script = `import { loadConfig } from ${JSON.stringify(configModule)};
          import { composeServer } from ${JSON.stringify(mainModule)};
          ${BARRIER_SOURCE}
          waitForAll(${JSON.stringify(barrier)}, 4);
          const server = await composeServer(loadConfig({
            flags: { port: 0, dataDir: ${JSON.stringify(dataDir)}, logLevel: "warn" },
            env: ${JSON.stringify(env)},
          }));
          process.stdout.write(JSON.stringify({ generated: server.rootKeyGenerated, id: server.rootKey.accessKeyId }));
          await server.close();`;
        const runs = await Promise.all(Array.from({ length: 4 }, () => runModuleScript(script)));
        const results = runs.map((r) => {
          expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
          return JSON.parse(r.out) as { generated: boolean; id: string };
        });
        expect(results.filter((r) => r.generated).length).toBe(1);
        const id = results[0]!.id;
        expect(results.map((r) => r.id)).toEqual([id, id, id, id]);
        expect(readFileSync(join(dataDir, "credentials"), "utf8")).toContain(`aws_access_key_id = ${id}`);
      } finally {
        await pgDb?.drop();
      }
    });
  }

  it.skipIf(!postgresAvailable)(
    "on PostgreSQL with the master key given, the first start makes the data directory its credentials file goes in",
    async () => {
      const root = mkdtempSync(join(tmpdir(), "pf-root-"));
      dirs.push(root);
      const dataDir = join(root, "not", "yet");
      const pgDb = await createPostgresDatabase();
      try {
        const config = loadConfig({
          flags: { port: 0, dataDir, logLevel: "warn" },
          env: { DATABASE_URL: pgDb.url, PROFILEFLOW_MASTER_KEY: randomBytes(32).toString("base64") },
        });
        const server = await composeServer(config);
        try {
          expect(server.rootKeyGenerated).toBe(true);
          expect(readFileSync(join(dataDir, "credentials"), "utf8")).toContain(
            `aws_access_key_id = ${server.rootKey.accessKeyId}`,
          );
          expect(statSync(dataDir).mode & 0o777).toBe(0o700);
          expect(readdirSync(dataDir)).toEqual(["credentials"]);
        } finally {
          await server.close();
        }
      } finally {
        await pgDb.drop();
      }
    },
  );
});
