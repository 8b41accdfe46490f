import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where `vite build` writes the web console (console/vite.config.mjs); git-ignored. */
export const consoleDistDir = fileURLToPath(new URL("../../console/dist", import.meta.url));

/** Built by `npm ci` (the `prepare` script), `npm run build:console`, or `profileflow serve` when stale. */
const NOT_BUILT =
  "<!doctype html><html lang=en><title>profileflow console</title><h1>The console is not built</h1>" +
  "<p>Run <code>npm run build:console</code> (it runs by itself on <code>npm ci</code>, and " +
  "<code>profileflow serve</code> rebuilds it when its sources changed), then reload.</p></html>\n";

/**
 * The browser talks only to the signed API (same origin): scripts and styles from here, inline styles
 * for the design system's components, no frames.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * The web console's static files at /console/, outside the signed scope: unsigned GETs of the built
 * files; any other path under /console/ that names no file (a deep link such as
 * /console/configuration) gets index.html, and the client-side router shows the page.
 */
export function registerConsole(app: FastifyInstance, root: string = consoleDistDir): void {
  app.register(
    async (scope) => {
      scope.addHook("onRequest", async (req) => {
        req.operationName = "console";
      });
      scope.addHook("onSend", async (_req, reply, payload) => {
        reply.headers(SECURITY_HEADERS);
        return payload;
      });
      if (!existsSync(join(root, "index.html"))) {
        const notBuilt = async (_req: FastifyRequest, reply: FastifyReply) =>
          reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
        scope.get("/", notBuilt);
        scope.get("/*", notBuilt);
        return;
      }
      await scope.register(fastifyStatic, {
        root,
        prefix: "/",
        wildcard: true,
        index: "index.html",
        cacheControl: false,
        setHeaders: (res, path) => {
          // Vite's assets carry a content hash in their names; index.html must be fetched again.
          res.setHeader(
            "cache-control",
            path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
          );
        },
      });
      scope.setNotFoundHandler(async (req, reply) => {
        // A file's extension is in the path, never in the query (?value=ada@example.com is a deep link).
        const path = req.url.split("?")[0] ?? "";
        const deepLink = (req.method === "GET" || req.method === "HEAD") && !/\.[a-z0-9]+$/i.test(path);
        if (deepLink) return reply.type("text/html; charset=utf-8").sendFile("index.html");
        return reply.code(404).type("text/plain; charset=utf-8").send(`Not found: ${path}\n`);
      });
    },
    { prefix: "/console" },
  );
}
