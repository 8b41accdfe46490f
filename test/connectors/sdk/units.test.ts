import { describe, expect, it } from "vitest";
import {
  classifyNetworkError,
  defaultRetryPolicy,
  fullJitterDelay,
  parseRetryAfter,
  SeenSet,
} from "../../../src/connectors/sdk/index.ts";

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", 0)).toBe(120_000);
    expect(parseRetryAfter("0.5", 0)).toBe(500);
    const now = Date.UTC(2025, 0, 1);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("fullJitterDelay", () => {
  it("stays within [0, min(cap, base·2^(n−1))]", () => {
    expect(fullJitterDelay(1, defaultRetryPolicy, () => 0.999)).toBeLessThan(1000);
    expect(fullJitterDelay(3, defaultRetryPolicy, () => 1)).toBe(4000);
    expect(fullJitterDelay(20, defaultRetryPolicy, () => 1)).toBe(60_000);
    expect(fullJitterDelay(5, defaultRetryPolicy, () => 0)).toBe(0);
  });
});

describe("classifyNetworkError", () => {
  it("maps DNS failure to config and socket failures to transient", () => {
    expect(classifyNetworkError({ code: "ENOTFOUND" }, "https://nope.service-now.com").class).toBe("config");
    expect(classifyNetworkError({ code: "ECONNRESET" }, "https://x").class).toBe("transient");
    expect(classifyNetworkError({ code: "UND_ERR_HEADERS_TIMEOUT" }, "https://x").class).toBe("transient");
    expect(classifyNetworkError(new TypeError("x is not a function"), "https://x").class).toBe("bug");
  });
});

describe("SeenSet", () => {
  it("round-trips through its checkpoint form and overflows safely", () => {
    const s = SeenSet.empty();
    s.add("a", 1);
    s.add("b", 2);
    const back = SeenSet.parse(s.toString());
    expect(back.has("a", 1)).toBe(true);
    expect(back.has("a", 2)).toBe(false);
    const big = SeenSet.empty();
    for (let i = 0; i < 6000; i++) big.add(String(i), i);
    expect(big.toString()).toBe("!");
    expect(SeenSet.parse("!").has("1", 1)).toBe(false);
    expect(SeenSet.empty().has("a", 1)).toBe(false);
  });
});
