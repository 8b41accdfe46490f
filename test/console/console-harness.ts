import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type ConsoleMessage, chromium, type Page } from "playwright-core";
import { afterEach, describe, expect, vi } from "vitest";
import type { DialectName } from "../../src/db/dialect.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * Console tests drive Debian's chromium (no browser download) with playwright-core. Without
 * /usr/bin/chromium they skip with a one-line hint, unless PROFILEFLOW_TEST_REQUIRE_CHROMIUM=1 (CI,
 * set by .ci/run), where they fail. PROFILEFLOW_CHROMIUM points at another chromium binary.
 */
export const chromiumPath = process.env["PROFILEFLOW_CHROMIUM"] ?? "/usr/bin/chromium";
const requireChromium = process.env["PROFILEFLOW_TEST_REQUIRE_CHROMIUM"] === "1";
export const chromiumAvailable = existsSync(chromiumPath);
if (!chromiumAvailable && requireChromium) {
  throw new Error(
    `chromium is required (PROFILEFLOW_TEST_REQUIRE_CHROMIUM=1) but ${chromiumPath} does not exist`,
  );
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
/** Where screenshots go: test-output/ is git-ignored and kept by CI as test output. */
export const screenshotDir = join(repo, "test-output", "screenshots");

/** Every open page and how many of its errors were already reported: new ones fail the running test (afterEach). */
const openPages = new Map<ConsolePage, number>();

/**
 * Like describe, but skipped with a hint when chromium is missing (and not required); after each test,
 * any error the browser printed on a page opened during it (and not allowed) fails the test.
 */
export function describeConsole(name: string, body: () => void): void {
  if (chromiumAvailable) {
    describe(name, () => {
      afterEach(async (ctx) => {
        const fresh: string[] = [];
        for (const [p, seen] of openPages) {
          fresh.push(...p.errors.slice(seen));
          openPages.set(p, p.errors.length);
        }
        // A failed test leaves what each page it opened showed: URL, visible text, screenshot.
        if (ctx.task.result?.state === "fail") await describePages(ctx.task.fullTestName ?? ctx.task.name);
        expect(fresh, "errors in the browser console").toEqual([]);
      });
      body();
    });
    return;
  }
  console.warn(
    `Console tests skipped: no chromium at ${chromiumPath}; apt-get install -y chromium (or set PROFILEFLOW_CHROMIUM), or run bash .ci/run`,
  );
  describe.skip(name, body);
}

/** Which test opened each page (vitest's full name), for describePages. */
const openedBy = new WeakMap<ConsolePage, string | undefined>();

/**
 * Prints the URL and visible text of each page the failed test opened, and writes its screenshot under
 * test-output/failures/. Bounded (5 s a step) and never throws: it only adds to a failure.
 */
async function describePages(test: string): Promise<void> {
  const dir = join(repo, "test-output", "failures");
  const within = <T>(work: Promise<T>, fallback: T) =>
    Promise.race([work, new Promise<T>((r) => setTimeout(() => r(fallback), 5_000).unref())]);
  let i = 0;
  for (const p of openPages.keys()) {
    if (p.page.isClosed() || openedBy.get(p) !== test) continue;
    try {
      mkdirSync(dir, { recursive: true });
      const shot = join(dir, `${test.replace(/[^\w-]+/g, "-").slice(0, 100)}-${process.pid}-${i++}.png`);
      const text = await within(
        p.page.evaluate<string>("document.body.innerText").catch((e: Error) => `(unreadable: ${e.message})`),
        "(no answer in 5 s)",
      );
      await p.page.screenshot({ path: shot, fullPage: true, timeout: 5_000 }).catch(() => {});
      console.error(
        `Page at ${p.page.url()} when "${test}" failed (screenshot ${shot}):\n${text.slice(0, 3000)}`,
      );
    } catch (e) {
      console.error(`Page at ${p.page.url()} when "${test}" failed: not described (${(e as Error).message})`);
    }
  }
}

/** Builds console/dist when it is missing or older than its sources (console/build.mjs --if-stale). */
export function buildConsoleIfStale(): void {
  const r = spawnSync(process.execPath, [join(repo, "console", "build.mjs"), "--if-stale"], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`console build failed: ${r.stderr}`);
  if (!existsSync(join(repo, "console", "dist", "index.html"))) {
    throw new Error(`console/dist was not built: ${r.stderr}`);
  }
}

/** beforeAll's patience for a (re)build, a server and a browser on a loaded machine. */
export const STARTUP_MS = 180_000;

export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 390, height: 844 };

/** A page whose browser console errors fail the test (see expectCleanConsole). */
export interface ConsolePage {
  page: Page;
  /** Errors the browser printed (console.error, uncaught exceptions, failed loads), minus the allowed ones. */
  errors: string[];
  /** Lets the test expect some errors: e.g. the 403 the browser logs when a wrong secret is refused. */
  allow(pattern: RegExp): void;
}

export interface ConsoleHarness {
  server: TestServer;
  browser: Browser;
  /** The console's URL on the test server (http://127.0.0.1:PORT/console/). */
  url: string;
  newPage(viewport?: { width: number; height: number }): Promise<ConsolePage>;
  /** Signs in through the form with the server's root key and waits for the configuration page. */
  signIn(p: ConsolePage): Promise<void>;
  close(): Promise<void>;
}

/** A test server (fresh database of `dialect`) with the built console, and a headless chromium. */
export async function startConsole(
  dialect: DialectName = "sqlite",
  options: { workers?: boolean } = {},
): Promise<ConsoleHarness> {
  buildConsoleIfStale();
  const server = await startTestServer(dialect, { workers: options.workers ?? false });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const url = `${server.endpoint}/console/`;
  const pages: ConsolePage[] = [];
  return {
    server,
    browser,
    url,
    async newPage(viewport = WIDE) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const allowed: RegExp[] = [];
      const p: ConsolePage = { page, errors: [], allow: (re) => allowed.push(re) };
      const record = (text: string) => {
        if (!allowed.some((re) => re.test(text))) p.errors.push(text);
      };
      page.on("console", (msg: ConsoleMessage) => {
        if (msg.type() === "error") record(`console.error: ${msg.text()} (${msg.location().url})`);
      });
      page.on("pageerror", (e) => record(`uncaught: ${e.message}`));
      pages.push(p);
      openPages.set(p, 0);
      openedBy.set(p, expect.getState().currentTestName);
      return p;
    },
    async signIn(p) {
      await p.page.goto(url);
      await p.page.getByLabel("Access key ID").fill(server.credentials.accessKeyId);
      await p.page.getByLabel("Secret access key").fill(server.credentials.secretAccessKey);
      await p.page.getByRole("button", { name: "Sign in" }).click();
      await p.page.getByRole("heading", { name: "Customer profiles configuration" }).waitFor();
    },
    async close() {
      for (const p of pages) openPages.delete(p);
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * Follows a link of the side navigation as a user would: when the navigation is closed, its toggle
 * ("Open side navigation", aria-expanded=false) opens it first. Cloudscape's layout may close it by itself
 * (it does when it measures too little room for it), so opening and clicking are retried together.
 */
export async function followSideNavigation(p: ConsolePage, name: string): Promise<void> {
  const closed = p.page.getByRole("button", { name: "Open side navigation", expanded: false });
  const link = p.page
    .getByRole("navigation", { name: "Side navigation" })
    .getByRole("link", { name, exact: true });
  await vi.waitFor(
    async () => {
      if (await closed.isVisible()) await closed.click({ timeout: 2_000 });
      await link.click({ timeout: 2_000 });
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** Fails the test when the browser printed an error that the test did not allow. */
export function expectCleanConsole(p: ConsolePage): void {
  expect(p.errors, "errors in the browser console").toEqual([]);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core in the page; fails on any serious or critical violation (listed with their targets). */
export async function expectAccessible(p: ConsolePage, what: string): Promise<void> {
  // evaluate() runs outside the page's Content-Security-Policy (a script tag would be refused).
  await p.page.evaluate(axeSource);
  // A string, evaluated in the page (this file is compiled without the DOM's types).
  const violations = await p.page.evaluate<AxeViolation[]>(`axe.run().then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })),
  })))`);
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`,
    );
  expect(bad, `accessibility violations on ${what}`).toEqual([]);
}

/** Writes test-output/screenshots/<name>-<width>.png (full page); returns its path. */
export async function screenshot(p: ConsolePage, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const width = p.page.viewportSize()?.width ?? 0;
  const path = join(screenshotDir, `${name}-${width}.png`);
  await p.page.screenshot({ path, fullPage: true });
  return path;
}

/** The page's sessionStorage or localStorage, as key → value. */
export async function storage(
  p: ConsolePage,
  which: "sessionStorage" | "localStorage",
): Promise<Record<string, string>> {
  return p.page.evaluate<Record<string, string>>(
    `Object.fromEntries(Object.keys(${which}).map((k) => [k, ${which}.getItem(k)]))`,
  );
}
