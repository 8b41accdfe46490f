import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Kysely's FileMigrationProvider (src/db/migrate.ts) imports the .ts migrations itself: inlined, that
    // import goes through vitest's transform (from the sources, tsx's loader does the same; compiled, dist's are .js).
    server: { deps: { inline: ["kysely"] } },
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
