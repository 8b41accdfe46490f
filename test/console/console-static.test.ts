import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerConsole } from "../../src/api/console-static.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { buildConsoleIfStale, STARTUP_MS } from "./console-harness.ts";

/** The console's files at /console/ on the API's port: unsigned GETs only; the signed API unchanged. */
describe("the console's static files on the API's port", () => {
  let t: TestServer;
  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startTestServer("sqlite");
  }, STARTUP_MS);
  afterAll(async () => {
    await t?.close();
  }, STARTUP_MS);

  it("serves index.html at /console/ and for deep links, the hashed assets with a long cache", async () => {
    const index = await fetch(`${t.endpoint}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await index.text();
    expect(html).toContain('<div id="root"></div>');
    const deep = await fetch(`${t.endpoint}/console/domains/d1/integrations/f1/details?x=1`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${t.endpoint}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers a missing asset with 404 and other methods under /console/ without the page", async () => {
    const missing = await fetch(`${t.endpoint}/console/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    const post = await fetch(`${t.endpoint}/console/configuration`, { method: "POST", body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toContain("<div id=");
  });

  it("keeps everything else signed: an unsigned GET of the API is refused", async () => {
    const r = await fetch(`${t.endpoint}/domains`);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(await r.text()).not.toContain("<html");
    const health = await fetch(`${t.endpoint}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
  });
});

describe("the console before it is built", () => {
  let app: FastifyInstance;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pf-console-"));
    app = Fastify();
    registerConsole(app, join(dir, "absent"));
    await app.ready();
  }, STARTUP_MS);
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says how to build it (503) instead of a bare 404", async () => {
    const r = await app.inject({ method: "GET", url: "/console/configuration" });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain("npm run build:console");
  });

  it("serves the build in the folder it is given, deep links included", async () => {
    const root = join(dir, "built");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><div id=root></div>");
    const other = Fastify();
    registerConsole(other, root);
    const r = await other.inject({ method: "GET", url: "/console/profiles" });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain("id=root");
    await other.close();
  });
});
