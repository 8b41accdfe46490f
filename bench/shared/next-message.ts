import type { ChildProcess } from "node:child_process";

/** The value under `key` of the next message `child` sends that carries it; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: unknown) => {
      if (m && typeof m === "object" && key in m) {
        child.off("message", on);
        child.off("exit", onExit);
        resolve((m as Record<string, T>)[key] as T);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before sending ${key}`));
    child.on("message", on);
    child.once("exit", onExit);
  });
}
