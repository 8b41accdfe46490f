import { describe, expect, it } from "vitest";
import { failureAdvice as consoleAdvice } from "../../console/src/pages/flow-details/failure-advice.ts";
import { failureAdvice, invertedWindowMessage } from "../../src/flows/failure-advice.ts";

/** Flow details keeps a copy of the engine's advice table (console code imports nothing from src/). */
describe("Flow details' advice matches the engine's (profileflow status, the demo)", () => {
  const messages = [
    "The source rejected the credentials: username, password or token rejected (HTTP 401: User Not Authenticated)",
    "Connector profile sn could not be opened: the secret is not readable",
    "The source refused the request: HTTP 403 insufficient rights",
    "Failed after 5 attempts with transient source errors: HTTP 503",
    invertedWindowMessage({ from: Date.UTC(2026, 0, 2), to: Date.UTC(2026, 0, 1) }),
    "Validation failed for record 7: email is empty",
    "Internal error: boom",
    "Successful: 2 records processed, 0 put failures, 0 dropped by validation, 0 deletions.",
    "Canceled by StopFlow",
  ];
  it.each(messages)("gives advice for exactly the engine's failures: %s", (m) => {
    const engine = failureAdvice(m, "sn");
    const page = consoleAdvice(m, "sn");
    expect(page === undefined).toBe(engine === undefined);
    if (engine && page) expect(page.toLowerCase()).toContain(engine.split(":")[0]!.toLowerCase());
  });
});
