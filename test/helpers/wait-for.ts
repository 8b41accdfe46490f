/**
 * Waiting in tests: on a condition (polled until it holds or a deadline passes), never on a fixed sleep.
 * The deadline is patience for a loaded CI machine, not a timing check: a test that waits must fail
 * (with `what` in the message) when the condition never comes, and pass as soon as it does.
 */
export interface WaitOptions {
  /** How long to keep trying before failing; default 30 s. */
  readonly timeoutMs?: number;
  /** Real ms between tries; default 10. */
  readonly intervalMs?: number;
  /** What is awaited, for the failure message (a function is asked only on failure). */
  readonly what?: string | (() => string);
}

/**
 * Resolves with the first value of `probe` that is neither `undefined`, `null` nor `false`; rejects after
 * `timeoutMs` (or at once when `probe` throws).
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  o: WaitOptions = {},
): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) {
      const what = typeof o.what === "function" ? o.what() : (o.what ?? "a condition");
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 10));
  }
}
