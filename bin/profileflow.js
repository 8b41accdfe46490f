#!/usr/bin/env node
// Runs the compiled server (dist/, built by `npm ci` / `npm run build`) when it is current; otherwise
// the TypeScript sources, through tsx's loader (a source edited since the last build is never skipped).
import { serverStaleReason } from "../scripts/build-server.mjs";

async function fromSources() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("../src/cli/main.ts")).main;
}

let main;
if (serverStaleReason() === undefined) {
  // A build swapping dist in at this moment may have removed it: the sources then.
  main = await import("../dist/cli/main.js").then((m) => m.main, fromSources);
} else main = await fromSources();
await main(process.argv);
