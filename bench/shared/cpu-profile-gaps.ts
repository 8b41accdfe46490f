import { readFileSync } from "node:fs";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * Where a V8 CPU profile (`.cpuprofile`, sampled every `intervalMs`) shows its thread off the CPU: gaps
 * between samples longer than `overMs` that end on a sample that is not idle (JavaScript, the garbage
 * collector or V8 itself). The profiler samples a busy thread on time, so such a gap is time the thread
 * was busy but not running — descheduled by the OS — unless the profiler's own sampling thread was the
 * one descheduled: the two cannot be told apart here. Returns the count, those over 5 ms, and their
 * total.
 */
export function cpuProfileGaps(file: string, overMs = 2): { gaps: number; over5: number; totalMs: number } {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let gaps = 0;
  let over5 = 0;
  let totalMs = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    if (ms <= overMs || idle.has(id)) return;
    gaps++;
    totalMs += ms;
    if (ms > 5) over5++;
  });
  return { gaps, over5, totalMs };
}
