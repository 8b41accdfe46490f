/**
 * `npm run bench`: runs every bench/*.ts (this file aside) in sequence, each in its own process with its own
 * output, and says how long each took. `--only end-to-end` (repeatable) picks benchmarks by name; other
 * arguments go to the picked benchmarks only (each has its own flags), e.g.
 * `npm run bench -- --only end-to-end --contacts 100000`. `--quick` sets BENCH_QUICK=1 for every
 * benchmark; those that know it (worker-scale-out, search-latency, search-in-process) run at their small size.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";

const dir = import.meta.dirname;
const { values, positionals } = parseArgs({
  options: { only: { type: "string", multiple: true }, quick: { type: "boolean", default: false } },
  allowPositionals: true,
  strict: false,
});
const only = (values.only as string[] | undefined) ?? [];
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== basename(import.meta.filename))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, "")))
  .sort();
const passOn =
  only.length > 0
    ? process.argv
        .slice(2)
        .filter((a, i, all) => a !== "--only" && a !== "--quick" && all[i - 1] !== "--only")
    : [];
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ${passOn.join(" ")}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, f), ...passOn], {
    stdio: "inherit",
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...(values.quick ? { BENCH_QUICK: "1" } : {}),
    },
  });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) failed++;
  console.log(
    `=== bench/${f}: ${r.status === 0 ? "done" : `failed (exit ${r.status ?? r.signal})`} in ${s} s`,
  );
}
void positionals;
if (failed > 0) process.exitCode = 1;
