import { describe, expect, it } from "vitest";
import { parseQueryObject } from "../../src/api/query-parser.ts";
import { canonicalQuery } from "../../src/security/sigv4-canonical.ts";

describe("the router's query parser is the verifier's", () => {
  it("reads '+' as a space and '%2B' as a plus, like the canonical query that was signed", () => {
    expect(parseQueryObject("tagKeys=a+b")).toEqual({ tagKeys: "a b" });
    expect(parseQueryObject("tagKeys=a%2Bb")).toEqual({ tagKeys: "a+b" });
    expect(canonicalQuery("tagKeys=a+b")).toBe("tagKeys=a%20b");
    expect(canonicalQuery("tagKeys=a%2Bb")).toBe("tagKeys=a%2Bb");
  });

  it("collects a repeated name into an array, in order, and keeps empty values", () => {
    expect(parseQueryObject("tagKeys=x&tagKeys=y&tagKeys=z&e=&f")).toEqual({
      tagKeys: ["x", "y", "z"],
      e: "",
      f: "",
    });
  });

  it("cannot reach Object.prototype, and reads an undecodable query as empty (the verifier refuses it)", () => {
    const q = parseQueryObject("__proto__=x&constructor=y");
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(q["__proto__"]).toBe("x");
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
    expect(Object.keys(parseQueryObject("k=a+%FF"))).toEqual([]);
    expect(() => canonicalQuery("k=a+%FF")).toThrow();
  });
});
