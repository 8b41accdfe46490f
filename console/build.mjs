#!/usr/bin/env node
// Builds the web console (console/src → console/dist) with vite.
//   node console/build.mjs             build now
//   node console/build.mjs --if-stale  build only when dist is missing or older than any source
// Run by the root package's `prepare` script (so `npm ci` / `npm install` build it), by
// `npm run build:console`, and by `profileflow serve` / `profileflow demo` (with --if-stale).
// Without vite (an install that left it out) it prints why and exits 0: the API still serves.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestMtime } from "../scripts/build-server.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const distDir = join(here, "dist");
const dist = join(distDir, "index.html");
/** One build at a time (serve, prepare and parallel test files may all ask): a lock directory. */
const lockDir = join(here, ".build-lock");
const LOCK_STALE_MS = 5 * 60_000;
/** What the build reads: the console's sources and config, and the lock (package versions). */
const sources = ["src", "index.html", "vite.config.mjs", "public", "../package-lock.json"];

/** Why the build is out of date, or undefined when it is current. */
export function staleReason() {
  if (!existsSync(dist)) return "console/dist is missing";
  const built = statSync(dist).mtimeMs;
  const changed = sources.find((s) => newestMtime(join(here, s)) > built);
  return changed ? `console/${changed} changed since the last build` : undefined;
}

function holderAlive() {
  try {
    const pid = Number(readFileSync(join(lockDir, "pid"), "utf8"));
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive but someone else's. No pid file yet: the holder is between mkdir and write.
    return e.code === "EPERM" || (e.code === "ENOENT" && Date.now() - statSync(lockDir).mtimeMs < 5000);
  }
}

async function lock() {
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      // A build that died left its lock behind: take it over.
      if (!holderAlive() || Date.now() - statSync(lockDir).mtimeMs > LOCK_STALE_MS) {
        rmSync(lockDir, { recursive: true, force: true });
      } else await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A page loaded from the previous build still asks for that build's hashed chunks: the new build keeps
 * the previous assets of the last hour (a long-lived server never serves a page whose scripts vanished).
 */
function keepRecentAssets(next) {
  const old = join(distDir, "assets");
  if (!existsSync(old)) return;
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(old)) {
    const from = join(old, name);
    const to = join(next, "assets", name);
    if (!existsSync(to) && statSync(from).mtimeMs > hourAgo) cpSync(from, to, { preserveTimestamps: true });
  }
}

/** Builds into a fresh folder, then swaps it in, so a running server never serves half a build. */
async function build(vite, reason) {
  const started = Date.now();
  const next = join(here, `.dist-${process.pid}`);
  console.error(`profileflow console: building with vite (${reason}) …`);
  try {
    await vite.build({
      configFile: join(here, "vite.config.mjs"),
      logLevel: "warn",
      build: { outDir: next, emptyOutDir: true },
    });
    keepRecentAssets(next);
    rmSync(distDir, { recursive: true, force: true });
    renameSync(next, distDir);
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  console.error(`profileflow console: built console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  const ifStale = process.argv.includes("--if-stale");
  if (ifStale && staleReason() === undefined) return;
  let vite;
  try {
    createRequire(import.meta.url).resolve("vite");
    vite = await import("vite");
  } catch {
    console.error(
      `profileflow console: not built (${staleReason() ?? "requested"}): vite is not installed here. ` +
        "Install the dependencies (npm ci), then run `npm run build:console`; the API works without it.",
    );
    return;
  }
  await lock();
  // Stopped mid-build (Ctrl-C, SIGTERM): leave no lock and no half-built folder behind.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      rmSync(lockDir, { recursive: true, force: true });
      rmSync(join(here, `.dist-${process.pid}`), { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    // Another process may have built it while this one waited for the lock.
    const reason = staleReason();
    if (ifStale && reason === undefined) return;
    await build(vite, reason ?? "requested");
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`profileflow console: the build failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
