/**
 * What the start-up conversion of a previous release's encrypted domain costs (issue 16): a domain of N
 * profiles written as the previous release wrote them (plain fields, history content and key values,
 * `sealed_format` 1; one object, one history row and three key rows per profile), then
 * `upgradeSealedFormats` as a start runs it. Prints wall and CPU time and the conversion's log line;
 * asserts nothing.
 *
 *   npx tsx bench/sealed-format-upgrade.ts [--profiles 20000] [--only sqlite|postgres]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/config.ts";
import { createLogger } from "../src/core/logger.ts";
import { composeServer } from "../src/main.ts";
import { insertMany } from "../src/profiles/bulk.ts";
import { upgradeSealedFormats } from "../src/profiles/sealed-format-upgrade.ts";
import { DomainKeys } from "../src/security/kms/domain-keys.ts";
import { benchDialects, loadAverage } from "./shared/bench-server.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";
import { sqliteSettingsEnv } from "./shared/sqlite-settings-env.ts";

const { values: args } = parseArgs({
  options: { profiles: { type: "string", default: "20000" }, only: { type: "string" } },
});
const N = Number(args.profiles);
const D = "bench";

const fields = (id: string) =>
  JSON.stringify({
    FirstName: `First${id}`,
    LastName: "Lee",
    EmailAddress: `${id}@x.example`,
    PhoneNumber: "+15552017391",
    "Address.City": "Springfield",
    "Attributes.crmId": id,
  });

for (const dialectName of benchDialects(args.only)) {
  const pg = dialectName === "postgres" ? await freshPostgres("pf_bench_upgrade") : undefined;
  if (dialectName === "postgres" && !pg) continue;
  const dataDir = mkdtempSync(join(tmpdir(), "pf-bench-upgrade-"));
  const config = loadConfig({
    flags: {
      port: 0,
      dataDir,
      databaseUrl: pg?.url,
      logLevel: "silent",
      accessKeyId: "AKIDPROFILEFLOWBENCH",
      secretAccessKey: "bench-secret",
    },
    env: sqliteSettingsEnv(),
  });
  const server = await composeServer(config, { logger: createLogger("silent") });
  try {
    const { db, dialect } = server.database;
    const keys = new DomainKeys(server.kms, null);
    const arn = await keys.createForDomainIn(db, D);
    await keys.createDataKeyIn(db, D, arn, Date.now());
    await db.updateTable("domain_data_keys").set({ sealed_format: 1 }).execute();
    const now = Date.now();
    for (let s = 0; s < N; s += 2000) {
      const ids = Array.from(
        { length: Math.min(2000, N - s) },
        (_, i) => `p${String(s + i).padStart(8, "0")}`,
      );
      const profiles = ids.map((id) => ({
        domain_name: D,
        profile_id: id,
        fields: fields(id) as never,
        manual: "{}" as never,
        created_at: now,
        updated_at: now,
      }));
      await insertMany(db, dialect, "profiles", profiles);
      const objects = ids.map((id) => ({
        domain_name: D,
        object_type_name: "crm",
        object_key: id,
        profile_id: id,
        payload: "pfe2.x",
        fields: fields(id) as never,
        source_timestamp: null,
        priority: null,
        updated_at: now,
      }));
      await insertMany(db, dialect, "profile_objects", objects);
      const history = ids.map((id) => ({
        domain_name: D,
        record_id: `r${id}`,
        profile_id: id,
        object_type_name: "crm",
        action_type: "CREATED" as const,
        object_key: id,
        performed_by: "bench",
        content: JSON.stringify({ Created: true, Fields: fields(id) }) as never,
        created_at: now,
      }));
      await insertMany(db, dialect, "profile_history", history);
      const keyRows = ids.flatMap((id) =>
        [
          ["_email", `${id}@x.example`],
          ["_crmId", id],
          ["_fullName", `first${id} lee`],
        ].map(([name, value]) => ({
          domain_name: D,
          key_name: name!,
          key_value: value!,
          profile_id: id,
          origin: "object" as const,
          object_type_name: "crm",
          object_key: id,
        })),
      );
      await insertMany(db, dialect, "profile_keys", keyRows);
    }
    const lines: unknown[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await upgradeSealedFormats({
      db,
      dialect,
      sealer: keys,
      logger: { info: (o: unknown) => lines.push(o), warn: (o: unknown) => lines.push(o) } as never,
    });
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `${dialectName}: ${N} profiles converted in ${((performance.now() - t0) / 1000).toFixed(1)} s,`,
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s; load average ${loadAverage()}; ${JSON.stringify(lines)}`,
    );
  } finally {
    await server.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
