import { readdirSync, readFileSync } from "node:fs";

/** A thread's scheduler counters (Linux /proc/PID/task/TID/schedstat), in nanoseconds. */
export interface ThreadSched {
  /** Time on a CPU. */
  readonly runNs: number;
  /** Time runnable but waiting for a CPU (the run queue). */
  readonly waitNs: number;
  /** Times it was given a CPU. */
  readonly slices: number;
}

/** Every thread of `pid` by thread id; empty where /proc has no schedstat (not Linux, or gone). */
export function threadScheds(pid: number): Map<number, ThreadSched> {
  const out = new Map<number, ThreadSched>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8")
        .trim()
        .split(" ")
        .map(Number);
      out.set(Number(tid), { runNs: run ?? 0, waitNs: wait ?? 0, slices: slices ?? 0 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** The machine's CPU time stolen by the hypervisor so far (/proc/stat, all CPUs), in ms; 0 elsewhere. */
export function stealMs(): number {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …, in clock ticks (USER_HZ, 100 on Linux).
    return Number(cpu[8] ?? 0) * 10;
  } catch {
    return 0;
  }
}

/** What changed between two readings of one process's threads: the main thread (tid = pid) and all. */
export function runQueueWait(
  pid: number,
  before: Map<number, ThreadSched>,
  after: Map<number, ThreadSched>,
): { mainWaitMs: number; mainRunMs: number; mainSlices: number; allWaitMs: number } {
  const d = (tid: number) => {
    const a = after.get(tid);
    const b = before.get(tid);
    if (!a) return { run: 0, wait: 0, slices: 0 };
    return {
      run: a.runNs - (b?.runNs ?? 0),
      wait: a.waitNs - (b?.waitNs ?? 0),
      slices: a.slices - (b?.slices ?? 0),
    };
  };
  const main = d(pid);
  let all = 0;
  for (const tid of after.keys()) all += d(tid).wait;
  return {
    mainWaitMs: main.wait / 1e6,
    mainRunMs: main.run / 1e6,
    mainSlices: main.slices,
    allWaitMs: all / 1e6,
  };
}
