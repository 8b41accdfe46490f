#!/usr/bin/env node
// Compiles the server's TypeScript (src/**/*.ts → dist/**/*.js, file by file, no bundle) with esbuild.
//   node scripts/build-server.mjs             build now
//   node scripts/build-server.mjs --if-stale  build only when dist is missing or older than any source
//   node scripts/build-server.mjs --out DIR   build into DIR instead (a folder of the package root: tests)
// Run by the package's `prepare` script (so `npm ci` / `npm install` build it) and by `npm run build`.
// bin/profileflow.js runs dist when it is current and the sources through tsx otherwise: tsx's loader
// runs on a thread of its own that stays for the process's life, ≈ 50 MB of a server's memory
// (docs/benchmarks.md, "The server compiled at install").
import {
  existsSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const srcDir = join(root, "src");
/** dist sits beside src, at the same depth: `new URL("../../console/dist", import.meta.url)` means the same in both. */
export const distDir = join(root, "dist");
/** Written last: a dist without it is half-built or from a build that failed. */
const stampName = ".built";

/** The newest mtime of a file, or of a folder and everything under it (0 when missing). */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** What a build reads: a change to any of them (a file's or a folder's mtime) makes dist stale. */
const buildInputs = [
  srcDir,
  join(root, "package-lock.json"),
  join(root, "tsconfig.json"),
  fileURLToPath(import.meta.url),
];

/**
 * Why dist cannot be run as it is (missing, or older than a source, the lock file, tsconfig.json or this
 * script), or undefined when current. The stamp bears the time the build started, so a source saved
 * during a build makes it stale. A copy that keeps older mtimes over a newer build (`cp -p`, `rsync -a`)
 * is not seen: run `npm run build` after one.
 */
export function serverStaleReason(dir = distDir, sources = buildInputs) {
  const stamp = join(dir, stampName);
  if (!existsSync(stamp)) return `${relative(root, dir) || dir} is not built`;
  const built = statSync(stamp).mtimeMs;
  const changed = sources.find((s) => newestMtime(s) > built);
  return changed ? `${relative(root, changed)} changed since the last build` : undefined;
}

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/**
 * Every relative import stays an import of its own compiled file (`./x.ts` → `./x.js`): each source gives
 * one output file, as tsc would, and the packages stay imports of node_modules.
 */
const relativeAsJs = {
  name: "relative-as-js",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => ({
      path: args.path.replace(/\.ts$/, ".js"),
      external: true,
    }));
  },
};

/**
 * Builds into a fresh folder, then swaps it in (remove, rename): a process starting in between finds no
 * current dist and runs the sources, and one that found dist just before may fail to import it, which
 * bin/profileflow.js answers by running the sources too.
 */
async function build(reason, outDir) {
  const esbuild = await import("esbuild");
  const started = Date.now();
  const next = join(root, `.dist-${process.pid}`);
  rmSync(next, { recursive: true, force: true }); // a crashed build's leftovers under a reused pid
  try {
    await esbuild.build({
      entryPoints: tsFiles(srcDir),
      outdir: next,
      outbase: srcDir,
      bundle: true,
      packages: "external",
      plugins: [relativeAsJs],
      platform: "node",
      format: "esm",
      target: "node20",
      // Error classes and handlers keep their names (error registry, logs); maps for --enable-source-maps.
      keepNames: true,
      sourcemap: "linked",
      logLevel: "warning",
    });
    const stamp = join(next, stampName);
    writeFileSync(stamp, `${new Date(started).toISOString()} ${reason}\n`);
    utimesSync(stamp, new Date(started), new Date(started));
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(next, outDir);
    } catch (e) {
      // Another build swapped its own in between: it is as current as this one.
      if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
    }
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  const to = relative(root, outDir);
  console.error(
    `profileflow: compiled src → ${to} in ${((Date.now() - started) / 1000).toFixed(1)} s (${reason})`,
  );
}

async function main() {
  const at = process.argv.indexOf("--out");
  const outDir = at > 0 ? resolve(root, process.argv[at + 1] ?? "") : distDir;
  if (dirname(outDir) !== root) throw new Error(`--out must name a folder of ${root} (it is ${outDir})`);
  const reason = serverStaleReason(outDir);
  if (process.argv.includes("--if-stale") && reason === undefined) return;
  try {
    await import("esbuild");
  } catch {
    console.error(
      `profileflow: dist not built (${reason ?? "requested"}): esbuild is not installed here. ` +
        "The CLI runs the sources through tsx instead; install the dependencies (npm ci) to build it.",
    );
    return;
  }
  await build(reason ?? "requested", outDir);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  main().catch((e) => {
    console.error(`profileflow: the server build failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
