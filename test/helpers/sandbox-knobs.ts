import { afterEach, beforeEach, expect } from "vitest";

/**
 * Undoes every test's knob changes on a vendor sandbox, pass or fail: the knobs as they stand when the
 * first test starts (after `beforeAll`) are put back after each test, so one failing test cannot leak a
 * rate limit, an error rate or a fault into the tests after it. `url` is read when the hooks run.
 */
export function restoreKnobsAfterEach(url: () => string): void {
  let start: unknown;
  beforeEach(async () => {
    if (start !== undefined) return;
    const res = await fetch(`${url()}/__sandbox/knobs`);
    expect(res.status).toBe(200);
    start = await res.json();
  });
  afterEach(async () => {
    if (start === undefined) return;
    const res = await fetch(`${url()}/__sandbox/knobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(start),
    });
    expect(res.status).toBe(200);
  });
}
