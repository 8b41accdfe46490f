import { afterEach, describe, expect, it } from "vitest";
import { type ConnectorError, isConnectorError, type Page } from "../../src/connectors/sdk/index.ts";
import {
  admin,
  type ContractAdapter,
  type ContractSandbox,
  type ContractScenario,
  keys,
  lastCheckpoint,
  liveTruth,
  type Opened,
  openOn,
  readAll,
  replay,
} from "./contract-adapter.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const faults = { errorRate: { transient: 0.15, rateLimit: 0.15, authExpiry: 0.05 }, truncateRate: 0.1 };
const noFaults = { errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 }, truncateRate: 0 };

/**
 * The shared connector contract (sources.md §6.6), run against one vendor's connector and sandbox with the
 * knobs on: exact windows for any window and page size, resume from every checkpoint, faults survived or
 * reported as their class, late-visible records caught by the overlap, mid-read changes not lost,
 * deletions delivered, and the sandbox's rate-limit violation counter at 0.
 */
export function connectorContract(adapter: ContractAdapter): void {
  const closers: { close(): Promise<void> }[] = [];
  const main = adapter.objects[0]!;
  const objSpec = (name: string) => adapter.spec.objects[name]!;
  const lookback = objSpec(main.name).lookbackMs;
  const lag = objSpec(main.name).lagMs;

  async function setup(knobs = {}): Promise<ContractSandbox> {
    const sb = await adapter.start(knobs);
    closers.push(sb);
    return sb;
  }
  function open(sb: ContractSandbox, refused = false): Opened {
    const o = openOn(adapter, sb, refused);
    closers.push(o.connector);
    return o;
  }
  const scenario = (name: ContractScenario, title: string, fn: () => Promise<void>) => {
    const why = adapter.skip?.[name];
    if (why) it.skip(`${title} — skipped: ${why}`, fn);
    else it(title, fn);
  };

  describe(`connector contract: ${adapter.name}`, () => {
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c.close();
    });

    scenario("exact-windows", "returns exactly the ground truth for any window and page size", async () => {
      const sb = await setup();
      const { connector } = open(sb);
      const { historyStart, historyEnd } = sb.world;
      for (const o of adapter.objects) {
        const span = Math.min(objSpec(o.name).maxWindowMs ?? 240 * DAY, historyEnd - historyStart);
        // Deterministic "random" windows: bounds off second boundaries, a tiny one and a full one.
        const windows = [
          { from: historyStart + 12_345, to: historyStart + Math.floor(span * 0.7) + 987 },
          { from: historyEnd - span, to: historyEnd + 1 },
          { from: historyStart + Math.floor(span / 3) + 500, to: historyStart + Math.floor(span / 3) + DAY },
        ];
        for (const window of windows) {
          const expected = await liveTruth(adapter, sb, o, window.from, window.to);
          for (const pageSize of o.pageSizes) {
            const pages = await readAll(connector, { object: o.name, window, pageSize });
            expect(keys(pages), `${o.name} ${JSON.stringify(window)} / ${pageSize}`).toEqual(expected);
            expect(pages.at(-1)!.done).toBe(true);
            expect(pages.slice(0, -1).some((p) => p.done)).toBe(false);
          }
        }
      }
    });

    scenario("resume-every-checkpoint", "resumes from every checkpoint: no loss, no duplicate", async () => {
      const sb = await setup();
      const { connector } = open(sb);
      const { historyStart, historyEnd } = sb.world;
      const span = Math.min(
        objSpec(main.name).maxWindowMs ?? historyEnd - historyStart,
        historyEnd - historyStart,
      );
      const window = { from: historyEnd - span, to: historyEnd };
      const pageSize = main.pageSizes[0]!;
      const full = await readAll(connector, { object: main.name, window, pageSize });
      const all = keys(full);
      expect(all).toEqual(await liveTruth(adapter, sb, main, window.from, window.to));
      expect(full.length).toBeGreaterThanOrEqual(4);
      // Every checkpoint when there are few pages; an even sample (first and last included) otherwise.
      const step = Math.max(1, Math.floor(full.length / 24));
      for (let k = 0; k < full.length; k += k === full.length - 2 ? 1 : step) {
        const cp = full[k]!.checkpoint;
        expect(Object.values(cp).every((v) => v === null || typeof v !== "object")).toBe(true);
        const resume = JSON.parse(JSON.stringify(cp));
        const rest = await readAll(connector, { object: main.name, window, resume, pageSize });
        expect([...keys(full.slice(0, k + 1)), ...keys(rest)].sort(), `resume after page ${k}`).toEqual(all);
      }
    });

    scenario("faults", "survives 5xx, 429, session expiry and cut bodies; never retries early", async () => {
      const sb = await setup({ ...faults, rotateRefreshTokens: true });
      const { connector, timer } = open(sb);
      const { historyStart, historyEnd } = sb.world;
      for (const o of adapter.objects) {
        const span = Math.min(
          objSpec(o.name).maxWindowMs ?? historyEnd - historyStart,
          historyEnd - historyStart,
        );
        const window = { from: historyEnd - span, to: historyEnd };
        const pages = await readAll(connector, { object: o.name, window, pageSize: o.pageSizes[0]! });
        sb.world.setKnobs(noFaults);
        expect(keys(pages), o.name).toEqual(await liveTruth(adapter, sb, o, window.from, window.to));
        sb.world.setKnobs(faults);
      }
      expect(timer.sleeps.length).toBeGreaterThan(3); // faults fired and were waited out
      expect((await admin(sb, "GET", "limits")).violations).toBe(0);
    });

    scenario(
      "auth-and-config",
      "reports refused credentials as auth, unknown objects as config, a 5xx storm as transient",
      async () => {
        const sb = await setup();
        const bad = open(sb, true).connector;
        const test = await bad.testConnection();
        expect(test).toMatchObject({ status: "Failed", class: "auth" });
        const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
        await expect(readAll(bad, { object: main.name, window })).rejects.toMatchObject({ class: "auth" });
        const good = open(sb).connector;
        expect(await good.testConnection()).toEqual({ status: "Connected" });
        await expect(readAll(good, { object: "NoSuchObject", window })).rejects.toMatchObject({
          class: "config",
        });
        // A failure storm beyond the retries is reported as transient, and the saved checkpoint still resumes.
        const head: Page[] = [];
        for await (const p of good.read({ object: main.name, window, pageSize: main.pageSizes[0]! })) {
          head.push(p);
          if (head.length === 2 || p.done) break;
        }
        sb.world.setKnobs({ errorRate: { transient: 1 } });
        const resume = lastCheckpoint(head);
        await expect(readAll(good, { object: main.name, window, resume })).rejects.toMatchObject({
          class: "transient",
        });
        sb.world.setKnobs(noFaults);
        const rest = await readAll(good, { object: main.name, window, resume, pageSize: main.pageSizes[0]! });
        expect([...keys(head), ...keys(rest)].sort()).toEqual(
          await liveTruth(adapter, sb, main, window.from, window.to),
        );
        const listed = (await good.listObjects()).map((o) => o.name);
        expect(listed).toEqual(expect.arrayContaining(adapter.objects.map((o) => o.name)));
        const described = await good.describeObject(main.name);
        expect(described.fields?.map((f) => f.name)).toEqual(
          expect.arrayContaining([objSpec(main.name).idField, objSpec(main.name).cursorField]),
        );
      },
    );

    scenario(
      "quota",
      "stops with quota_exhausted and a reset time, then resumes to the exact truth",
      async () => {
        const q = adapter.quota!;
        const sb = await setup(q.knobs);
        const { connector, timer, advance } = open(sb);
        const { historyStart, historyEnd } = sb.world;
        const span = Math.min(
          objSpec(main.name).maxWindowMs ?? historyEnd - historyStart,
          historyEnd - historyStart,
        );
        const window = { from: historyEnd - span, to: historyEnd };
        const pages: Page[] = [];
        let pauses = 0;
        for (let done = false; !done; ) {
          const resume = pages.length > 0 ? lastCheckpoint(pages) : undefined;
          try {
            const req = { object: main.name, window, pageSize: q.pageSize, ...(resume ? { resume } : {}) };
            for await (const p of connector.read(req)) pages.push(p);
            done = true;
          } catch (e) {
            expect(isConnectorError(e, "quota_exhausted"), String(e)).toBe(true);
            const resetAt = (e as ConnectorError).resetAt!;
            expect(resetAt).toBeGreaterThan(timer.now());
            pauses++;
            expect(pauses).toBeLessThan(200);
            advance(resetAt - timer.now() + 1000); // the flow pauses until the reset
          }
        }
        expect(pauses).toBeGreaterThan(0);
        if (q.stopsBeforeRefusal) expect((await admin(sb, "GET", "limits")).violations).toBe(0);
        expect(keys(pages)).toEqual(await liveTruth(adapter, sb, main, window.from, window.to));
      },
    );

    scenario(
      "late-visible",
      "catches a late-visible record with the overlap and repeats nothing",
      async () => {
        const sb = await setup();
        const { connector, advance } = open(sb);
        const run1 = await readAll(connector, { object: main.name, since: sb.world.historyStart });
        expect(run1.at(-1)!.done).toBe(true);
        // Committed now, stamped before run 1's watermark but inside the look-back overlap.
        const at = sb.world.clock.now() - lag - Math.floor(lookback / 2);
        const late = await admin(sb, "POST", `records/${encodeURIComponent(main.truthObject ?? main.name)}`, {
          fields: {},
          at,
        });
        advance(lookback);
        const run2 = await readAll(connector, { object: main.name, since: lastCheckpoint(run1) });
        const k1 = new Set(keys(run1));
        const k2 = keys(run2);
        expect(k2.some((k) => k.startsWith(`${late.id}@`))).toBe(true);
        expect(k2.filter((k) => k1.has(k))).toEqual([]);
        expect([...k1, ...k2].sort()).toEqual(await liveTruth(adapter, sb, main));
      },
    );

    scenario("mid-read-changes", "loses nothing when records change while pages are read", async () => {
      const sb = await setup({ midReadChanges: 2 });
      const { connector, advance } = open(sb);
      const pageSize = main.pageSizes[0]!;
      const run1 = await readAll(connector, { object: main.name, since: sb.world.historyStart, pageSize });
      sb.world.setKnobs({ midReadChanges: 0 });
      advance(lag + lookback + MINUTE);
      const run2 = await readAll(connector, { object: main.name, since: lastCheckpoint(run1), pageSize });
      expect(replay([...run1, ...run2])).toEqual(await liveTruth(adapter, sb, main));
    });

    scenario("deletions", "delivers deletions in windowed and incremental reads", async () => {
      const sb = await setup();
      const { connector, advance } = open(sb);
      const run1 = await readAll(connector, { object: main.name, since: sb.world.historyStart });
      const [victim] = await liveTruth(adapter, sb, main);
      const id = victim!.split("@")[0]!;
      await admin(sb, "DELETE", `records/${encodeURIComponent(main.truthObject ?? main.name)}/${id}`);
      advance(lag + MINUTE);
      const run2 = await readAll(connector, { object: main.name, since: lastCheckpoint(run1) });
      expect(run2.flatMap((p) => p.deletions.map((d) => d.id))).toContain(id);
      expect(replay([...run1, ...run2])).toEqual(await liveTruth(adapter, sb, main));
      const window = { from: sb.world.historyStart, to: sb.world.clock.now() - lag };
      const windowed = await readAll(connector, { object: main.name, window });
      expect(windowed.flatMap((p) => p.deletions.map((d) => d.id))).toContain(id);
      expect(keys(windowed).some((k) => k.startsWith(`${id}@`))).toBe(false);
    });

    scenario("churn-runs", "follows churn with late commits and deletes over incremental runs", async () => {
      const sb = await setup({
        churn: { creates: 2, updates: 3, deletes: 1 },
        lateVisible: { rate: 0.3, delayMs: Math.floor(lookback / 2) },
      });
      const { connector, advance } = open(sb);
      const pageSize = main.pageSizes[0]!;
      const pages: Page[] = [];
      let since: number | ReturnType<typeof lastCheckpoint> = sb.world.historyStart;
      for (let run = 0; run < 5; run++) {
        if (run === 4) sb.world.setKnobs({ churn: { creates: 0, updates: 0, deletes: 0 } });
        const got = await readAll(connector, { object: main.name, since, pageSize });
        pages.push(...got);
        since = lastCheckpoint(got);
        advance(run === 3 ? lag + lookback + MINUTE : 7 * MINUTE);
      }
      const last = await readAll(connector, { object: main.name, since, pageSize });
      expect(replay([...pages, ...last])).toEqual(await liveTruth(adapter, sb, main));
      expect(pages.some((p) => p.deletions.length > 0)).toBe(true);
    });
  });
}
