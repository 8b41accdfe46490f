import type { Logger } from "../core/logger.ts";

/**
 * Says so when this process runs the TypeScript sources: bin/profileflow.js does that through tsx when
 * dist is missing or older than src (scripts/build-server.mjs); tsx's loader thread costs a server
 * ≈ 50 MB (docs/benchmarks.md, "The server compiled at install").
 */
export function noteIfFromSources(logger: Logger): void {
  if (import.meta.url.endsWith(".ts"))
    logger.warn("running the TypeScript sources through tsx: `npm run build` compiles them (less memory)");
}
