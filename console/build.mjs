#!/usr/bin/env node
// Builds the web console (console/src → console/dist) with vite.
//   node console/build.mjs             build now
//   node console/build.mjs --if-stale  build only when dist is missing or older than any source
// Run by the root package's `prepare` script (so `npm ci` / `npm install` build it), by
// `npm run build:console`, and by `profileflow serve` / `profileflow demo` (with --if-stale).
// Without vite (an install that left it out) it prints why and exits 0: the API still serves.
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "dist", "index.html");
/** What the build reads: the console's sources and config, and the lock (package versions). */
const sources = ["src", "index.html", "vite.config.mjs", "public", "../package-lock.json"];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why the build is out of date, or undefined when it is current. */
export function staleReason() {
  if (!existsSync(dist)) return "console/dist is missing";
  const built = statSync(dist).mtimeMs;
  const changed = sources.find((s) => newestMtime(join(here, s)) > built);
  return changed ? `console/${changed} changed since the last build` : undefined;
}

async function main() {
  const ifStale = process.argv.includes("--if-stale");
  const reason = staleReason();
  if (ifStale && reason === undefined) return;
  let vite;
  try {
    createRequire(import.meta.url).resolve("vite");
    vite = await import("vite");
  } catch {
    console.error(
      `profileflow console: not built (${reason ?? "requested"}): vite is not installed here. ` +
        "Install the dependencies (npm ci), then run `npm run build:console`; the API works without it.",
    );
    return;
  }
  const started = Date.now();
  console.error(`profileflow console: building with vite (${reason ?? "requested"}) …`);
  await vite.build({ configFile: join(here, "vite.config.mjs"), logLevel: "warn" });
  console.error(`profileflow console: built console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`profileflow console: the build failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
