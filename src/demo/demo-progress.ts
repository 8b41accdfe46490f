import cliProgress from "cli-progress";
import type { TrackStatus } from "./demo-status.ts";

const RATE_WINDOW_MS = 5_000;

/** A status's label: vendor and object (`salesforce Asset`), padded so the columns line up. */
export function trackLabel(s: Pick<TrackStatus, "vendor" | "object">): string {
  return `${s.vendor} ${s.object}`.padEnd(20);
}

/** One line of progress: steps, records and the recent records/s of an object's integration. */
export function progressLine(s: TrackStatus, rate: number): string {
  const phase = s.workflowId
    ? s.workflowStatus === "COMPLETE"
      ? `history complete (${s.totalSteps} steps), syncing`
      : `workflow ${s.workflowStatus ?? "…"} step ${Math.min(s.stepsCompleted + 1, s.totalSteps)}/${s.totalSteps}`
    : s.lastStatus
      ? "incremental export, syncing"
      : "incremental export from the start date";
  const state = s.running ? "running" : (s.lastStatus ?? "waiting");
  return `${trackLabel(s)} ${phase} · ${s.records.toLocaleString("en-US")} records · ${Math.round(rate).toLocaleString("en-US")}/s · ${state}`;
}

/**
 * Live progress: one cli-progress bar per object's flow on a terminal (steps done of total), or a plain line per
 * change otherwise (logs, CI, the demo's own test).
 */
export class DemoProgress {
  readonly #tty: boolean;
  readonly #out: NodeJS.WriteStream;
  readonly #history = new Map<string, Array<[number, number]>>();
  readonly #last = new Map<string, string>();
  #bars: cliProgress.MultiBar | undefined;
  readonly #bar = new Map<string, cliProgress.SingleBar>();

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  /** Records/s of an object's flow over the last few seconds. */
  rate(s: TrackStatus, now = Date.now()): number {
    const h = this.#history.get(s.flowName) ?? [];
    h.push([now, s.records]);
    while (h.length > 2 && now - (h[0]?.[0] ?? now) > RATE_WINDOW_MS) h.shift();
    this.#history.set(s.flowName, h);
    const first = h[0];
    if (!first || now - first[0] < 500) return 0;
    return ((s.records - first[1]) * 1000) / (now - first[0]);
  }

  /** Shows the current status of every object's flow. */
  update(statuses: TrackStatus[]): void {
    for (const s of statuses) {
      const line = progressLine(s, this.rate(s));
      if (!this.#tty) {
        // Only the phase and state, not the moving numbers, decide whether a plain line is worth printing.
        const key = `${s.workflowStatus}|${s.stepsCompleted}|${s.lastStatus}|${s.running}|${s.executions}`;
        if (this.#last.get(s.flowName) !== key) {
          this.#last.set(s.flowName, key);
          this.#out.write(`  ${line}\n`);
        }
        continue;
      }
      this.#bars ??= new cliProgress.MultiBar(
        { format: " {bar} {line}", barsize: 16, hideCursor: true, clearOnComplete: false, stream: this.#out },
        cliProgress.Presets.shades_classic,
      );
      const total = Math.max(1, s.totalSteps);
      const value = s.workflowId ? s.stepsCompleted : s.lastStatus ? 1 : 0;
      let bar = this.#bar.get(s.flowName);
      if (!bar) {
        bar = this.#bars.create(total, value, { line });
        this.#bar.set(s.flowName, bar);
      }
      bar.setTotal(total);
      bar.update(value, { line });
    }
  }

  /** Stops the bars so ordinary lines can follow. */
  stop(): void {
    this.#bars?.stop();
    this.#bars = undefined;
    this.#bar.clear();
  }
}
