/**
 * A search's own cost, without HTTP: `ProfileService.search` called in process, one at a time, by
 * `_salesforceContactId`, after `--profiles` Salesforce Contacts were ingested in process (batches of 2,000).
 * Prints the process's CPU per search for each round (the first warms up; the median of the others is the
 * figure), so the database path of a search (the domain, its data key, its key types, the key lookup, the
 * profiles read and opened) can be compared between two trees apart from SigV4, fastify and sockets, which
 * `bench/search-latency.ts` measures with them. Every search must find exactly its one profile.
 *
 *   npx tsx bench/search-in-process.ts [--profiles 20000] [--searches 5000] [--rounds 6] [--only sqlite|postgres]
 *
 * The CPU is the whole process's (`process.cpuUsage`): GC helper threads and the seal worker count too.
 *
 * BENCH_QUICK=1: 5,000 profiles, 1,000 searches, 3 rounds.
 */
import { parseArgs } from "node:util";
import { benchDialects, loadAverage, withBenchServer } from "./shared/bench-server.ts";
import { CONTACT_TYPE, createContactDomain } from "./shared/contact-domain.ts";
import { restContact as contact, contactId } from "./shared/rest-contact.ts";

const DOMAIN = "search-in-process";
const TYPE = CONTACT_TYPE;
const quick = process.env["BENCH_QUICK"] === "1";
const { values } = parseArgs({
  options: {
    profiles: { type: "string", default: quick ? "5000" : "20000" },
    searches: { type: "string", default: quick ? "1000" : "5000" },
    rounds: { type: "string", default: quick ? "3" : "6" },
    only: { type: "string" },
  },
});
const count = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v ?? "") || n < min)
    throw new Error(`--${name} takes a whole number >= ${min}, not '${v}'`);
  return n;
};
const profiles = count("profiles", values.profiles, 1);
const searches = count("searches", values.searches, 1);
const rounds = count("rounds", values.rounds, 2);
if (values.only !== undefined && values.only !== "sqlite" && values.only !== "postgres")
  throw new Error(`--only takes sqlite or postgres, not '${values.only}'`);
/** A stride through the profiles that visits them scattered and, sharing no factor with their count, all of them. */
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const stride = gcd(7919, profiles) === 1 ? 7919 : 1;

for (const dialect of benchDialects(values.only)) {
  await withBenchServer(dialect, "pf_search_in_process", async ({ server, newClient }) => {
    const sdk = newClient();
    await createContactDomain(sdk, DOMAIN);
    for (let at = 0; at < profiles; at += 2000) {
      const batch = Array.from({ length: Math.min(2000, profiles - at) }, (_, k) => contact(at + k));
      await server.profiles.ingestor.ingestObjects(DOMAIN, TYPE, batch);
    }
    const perRound: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < searches; i++) {
        const id = contactId(((round * searches + i) * stride) % profiles);
        const found = await server.profileService.search(
          DOMAIN,
          [{ keyName: "_salesforceContactId", values: [id] }],
          "OR",
          { maxResults: 20 },
        );
        if (found.items.length !== 1)
          throw new Error(`search for ${id} found ${found.items.length} profiles`);
      }
      const cpu = process.cpuUsage(cpu0);
      perRound.push((cpu.user + cpu.system) / searches);
    }
    const measured = perRound.slice(1).sort((a, b) => a - b);
    const mid = measured.length / 2;
    const median = Number.isInteger(mid)
      ? (measured[mid - 1]! + measured[mid]!) / 2
      : measured[Math.floor(mid)]!;
    console.log(
      `search-in-process (${dialect}): ${profiles.toLocaleString("en-US")} profiles, ${searches.toLocaleString("en-US")} searches per round; ` +
        `CPU per search by round ${perRound.map((us) => us.toFixed(0)).join(" / ")} µs; median after the first ${median.toFixed(0)} µs` +
        `${dialect === "postgres" ? " (this process only: PostgreSQL's own CPU is not counted)" : ""}; load ${loadAverage()}`,
    );
  });
}
