import { spawn } from "node:child_process";

/** What a script run by runModuleScript did. */
export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * Runs an ES module snippet under tsx in a process of its own (`args` are its process.argv[1…]), without
 * the PROFILEFLOW_ settings of the test run's environment; resolves with its exit and its output.
 */
export function runModuleScript(script: string, args: string[] = []): Promise<ScriptRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_"))),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code, signal) => done({ code, signal, out, err }));
  });
}

/**
 * Source text for scripts of runModuleScript that must act at the same moment: defines
 * `waitForAll(dir, n)`, which marks this process as ready in `dir`, then returns once `n` processes have,
 * however long each took to start (polling every 2 ms).
 */
export const BARRIER_SOURCE = `
import { readdirSync as barrierList, writeFileSync as barrierMark } from "node:fs";
import { join as barrierJoin } from "node:path";
function waitForAll(dir, n) {
  barrierMark(barrierJoin(dir, String(process.pid)), "");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (barrierList(dir).length < n) Atomics.wait(pause, 0, 0, 2);
}
`;
