/**
 * What sealing a domain's object payloads under its data key (issue 16) costs on the ingest path:
 * the same Salesforce-Contact batches into an encrypted domain and into a plain one (its data key
 * removed, so payloads are stored as they are), interleaved round by round so that the shared
 * machine's load falls on both alike. Prints CPU time and wall time per variant; asserts nothing.
 *
 *   npx tsx bench/domain-encryption.ts [--objects 20000] [--batch 2000] [--rounds 3] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import { CreateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { type BenchDialect, benchDialects, loadAverage, withBenchServer } from "./shared/bench-server.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "20000" },
    batch: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const OBJECTS = Number(args.objects);
const BATCH = Number(args.batch);
const ROUNDS = Number(args.rounds);

function contact(i: number, round: number): Record<string, unknown> {
  const id = `003${round}${i.toString(36).padStart(11, "0")}`;
  return {
    Id: id,
    AccountId: `001${Math.floor(i / 50)
      .toString(36)
      .padStart(12, "0")}`,
    FirstName: `First${i % 997}`,
    LastName: `Last${i}`,
    Email: `person${round}-${i}@example.com`,
    MailingStreet: `${i} Market St`,
    MailingCity: "San Francisco",
    Description: "A customer since 2019; prefers email; renewal in Q3.",
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
  };
}

async function run(dialect: BenchDialect): Promise<void> {
  await withBenchServer(dialect, "pf_bench_enc", async ({ server, newClient }) => {
    const client = newClient();
    for (const DomainName of ["sealed", "plain"]) {
      await client.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    }
    client.destroy();
    await server.database.db.deleteFrom("domain_data_keys").where("domain_name", "=", "plain").execute();
    const totals = { sealed: { wall: 0, cpu: 0 }, plain: { wall: 0, cpu: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? (["sealed", "plain"] as const) : (["plain", "sealed"] as const)) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let from = 0; from < OBJECTS; from += BATCH) {
          const batch = Array.from({ length: Math.min(BATCH, OBJECTS - from) }, (_, k) =>
            contact(from + k, round),
          );
          await server.profiles.ingestor.ingestObjects(name, "Salesforce-Contact", batch);
        }
        const cpu = process.cpuUsage(c0);
        totals[name].wall += (performance.now() - t0) / 1000;
        totals[name].cpu += (cpu.user + cpu.system) / 1e6;
      }
    }
    const n = OBJECTS * ROUNDS;
    const rate = (s: number) => Math.round(n / s);
    for (const name of ["plain", "sealed"] as const) {
      const t = totals[name];
      console.log(
        `${dialect} ${name}: ${n} objects, wall ${t.wall.toFixed(1)} s = ${rate(t.wall)}/s, CPU ${t.cpu.toFixed(1)} s = ${rate(t.cpu)}/CPU-s`,
      );
    }
    const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;
    console.log(
      `${dialect}: encryption costs ${pct(totals.sealed.cpu, totals.plain.cpu)} CPU, ${pct(totals.sealed.wall, totals.plain.wall)} wall; load average ${loadAverage()}`,
    );
  });
}

for (const dialect of benchDialects(args.only)) await run(dialect);
