import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FileMigrationProvider, type Kysely, Migrator } from "kysely";

/** src/db/migrations/NNNN_name.ts: each layer adds its own file; Kysely orders them by name. */
const migrationFolder = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Kysely's migrator over this project's migrations (tests also step it down and up). */
export function projectMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    allowUnorderedMigrations: true,
  });
}

/** Runs all pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = projectMigrator(db);
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's first step lists every table and column of the database; a table another process creates,
  // alters or drops meanwhile (graphile-worker installing its schema as a sibling worker starts) fails
  // that listing with undefined_table or undefined_column. Nothing was migrated then: try again.
  for (let attempt = 1; attempt < 8 && results === undefined && isCatalogRace(error); attempt++) {
    await new Promise((r) => setTimeout(r, 200 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const name = failed ? ` (${failed.migrationName})` : "";
    throw new Error(`database migration failed${name}: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** undefined_table, undefined_column: the catalog changed while Kysely listed it. */
const catalogRaceCodes = new Set(["42P01", "42703"]);

function isCatalogRace(error: unknown): boolean {
  return catalogRaceCodes.has(String((error as { code?: unknown } | undefined)?.code));
}
