import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Rebuilds the web console when console/dist is missing or older than its sources (a checkout that
 * changed them without a reinstall): runs `node console/build.mjs --if-stale`, which says on stderr
 * what it does (or why it cannot: no vite). Never fatal: the API is served either way, and /console/
 * then shows the last build or how to build it.
 */
export function buildConsoleIfStale(): void {
  const script = fileURLToPath(new URL("../../console/build.mjs", import.meta.url));
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script, "--if-stale"], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write(
      "profileflow: the console could not be rebuilt (above); serving the API, /console/ shows the last build. Run `npm run build:console` to retry.\n",
    );
  }
}
