/**
 * The two costs behind issue 18 point 2's "parts" (docs/benchmarks.md, "Server memory after sealing ahead"):
 *
 * 1. Building the JSON parameter of a group's `profile_objects` rows (10,000 rows of ~2.5 K characters)
 *    as one text (`JSON.stringify` over all rows, as before) or in parts of ≤ MAX_JSON_CHARS (`jsonChunks`).
 * 2. The seal worker over 50 jobs of 2,000 payloads of ~1.3 KB (a page each) with V8's default heap, with
 *    WORKER_LIMITS, and with a 4 MB young generation. Jobs travel in pieces (PIECE_CHARS) since f1ee054;
 *    `--whole` sends each job as one piece (PIECE_CHARS raised past it), as before.
 *
 *   npx tsx bench/memory-parts.ts [--rounds 3] [--whole]
 * Prints milliseconds (wall, and CPU of the process: main thread and worker); asserts nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { jsonChunks } from "../src/profiles/bulk.ts";
import { type SealJob, SealWorker, WORKER_LIMITS } from "../src/security/kms/seal-worker.ts";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, whole: { type: "boolean", default: false } },
});
const rounds = Number(values.rounds);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const rows = Array.from({ length: 10_000 }, (_, i) => ({
  domain_name: "e2e",
  object_type_name: "Salesforce-Contact",
  object_key: `003S${String(i).padStart(12, "0")}`,
  profile_id: randomUUID(),
  payload: `pfe2.${"A".repeat(1_600)}`,
  fields: `pfe2.${"B".repeat(600)}`,
  source_timestamp: Date.now(),
  priority: null,
  updated_at: Date.now(),
}));
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  const whole = JSON.stringify(rows).length;
  const wholeMs = performance.now() - t;
  t = performance.now();
  let parts = 0;
  let chars = 0;
  for (const json of jsonChunks(rows, (x) => x)) {
    parts++;
    chars += json.length;
  }
  const partsMs = performance.now() - t;
  console.log(
    `json, 10,000 object rows: one text ${wholeMs.toFixed(1)} ms (${(whole / 1e6).toFixed(1)} M chars); ` +
      `${parts} parts ${partsMs.toFixed(1)} ms (${(chars / 1e6).toFixed(1)} M chars)`,
  );
}

const key = randomBytes(32);
const indexKey = randomBytes(32);
const aad = Buffer.from("profileflow/d/profile_objects.payload");
const job = (j: number): SealJob => {
  const texts = Array.from(
    { length: 2_000 },
    (_, i) => `{"Id":"${j}-${i}","FirstName":"Zoë","About":"${"x".repeat(1_200)}"}`,
  );
  return {
    key,
    indexKey,
    indexPrefix: "pfh1.",
    seals: [{ aad, prefix: "pfe2.", plaintexts: texts }],
    pairs: texts.map((_, i) => `_email\u0000p${j}-${i}@example.com`),
  };
};
const heaps: [string, ConstructorParameters<typeof SealWorker>[0]][] = [
  ["V8's default heap", {}],
  ["WORKER_LIMITS", WORKER_LIMITS],
  ["4 MB young generation", { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 }],
];
for (let r = 0; r < rounds; r++) {
  for (const [name, limits] of heaps) {
    const w = new SealWorker(limits, values.whole ? Number.MAX_SAFE_INTEGER : undefined);
    await w.run(job(-1));
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let j = 0; j < 50; j++) await w.run(job(j));
    const wall = performance.now() - t0;
    console.log(
      `seal worker, 50 pages of 2,000 × 1.3 KB${values.whole ? ", each one piece" : ""}, ${name}: ` +
        `wall ${Math.round(wall)} ms, CPU ${Math.round(cpuMs() - c0)} ms`,
    );
    await w.close();
  }
}
