import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { openDatabase } from "../../db/database.ts";
import { DeadLetterStore } from "../../profiles/dead-letter-store.ts";
import { localDomainKeys } from "../../security/kms/local-domain-keys.ts";
import { env } from "../env.ts";

/** `profileflow dead-letters --domain D`: the records a domain could not ingest, newest first, with why. */
export function registerDeadLetters(program: Command): void {
  program
    .command("dead-letters")
    .description("list the objects a domain could not ingest (newest first) with their reason")
    .requiredOption("--domain <name>", "domain name")
    .option("--type <objectTypeName>", "only this object type")
    .option("-n, --limit <count>", "how many to show (default 20, at most 100)", "20")
    .option("--json", "print JSON lines (including the object) instead of a table")
    .option("-d, --data <dir>", "data directory (default ./.profileflow)")
    .option("-c, --config <file>", "JSON config file")
    .action(
      async (opts: {
        domain: string;
        type?: string;
        limit: string;
        json?: boolean;
        data?: string;
        config?: string;
      }) => {
        const config = loadConfig({ env: env(), file: opts.config, flags: { dataDir: opts.data } });
        const database = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          sqliteCacheMb: config.sqliteCacheMb,
          sqliteMmapMb: config.sqliteMmapMb,
        });
        try {
          const limit = Math.min(100, Math.max(1, Number.parseInt(opts.limit, 10) || 20));
          // Payloads of an encrypted domain are opened with its data key (the server's master key and KMS).
          const page = await new DeadLetterStore(localDomainKeys(database.db, config)).list(
            database.db,
            opts.domain,
            { objectTypeName: opts.type },
            { maxResults: limit },
          );
          const out = process.stdout;
          if (opts.json) {
            for (const d of page.items) out.write(`${JSON.stringify(d)}\n`);
            return;
          }
          if (page.items.length === 0) {
            out.write(`No dead letters in domain ${opts.domain}.\n`);
            return;
          }
          for (const d of page.items) {
            const when = new Date(d.createdAt).toISOString();
            const key = d.profileObjectUniqueKey ?? "-";
            out.write(`${when}  ${d.objectTypeName}  ${key}  ${d.reasonCode}: ${d.message}\n`);
          }
          if (page.nextToken) out.write(`(more than ${limit}; use --limit or --json)\n`);
        } finally {
          await database.close();
        }
      },
    );
}
