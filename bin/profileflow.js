#!/usr/bin/env node
// Runs the compiled server (dist/, built by `npm ci` / `npm run build`) when it is current; otherwise
// the TypeScript sources, through tsx's loader (a source edited since the last build is never skipped).
import { serverStaleReason } from "../scripts/build-server.mjs";

let main;
if (serverStaleReason() === undefined) ({ main } = await import("../dist/cli/main.js"));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
await main(process.argv);
