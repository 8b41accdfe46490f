import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTimestampFormat, type TimestampParser } from "../../src/ingest/timestamp-format.ts";

function parser(format: string): TimestampParser {
  const p = compileTimestampFormat(format);
  if (typeof p === "string") throw new Error(p);
  return p;
}

describe("compileTimestampFormat", () => {
  it("parses the four vendors' modification times", () => {
    expect(parser("yyyy-MM-dd'T'HH:mm:ss.SSSZ")("2024-01-15T10:20:30.000+0000")).toBe(
      Date.UTC(2024, 0, 15, 10, 20, 30),
    );
    expect(parser("yyyy-MM-dd'T'HH:mm:ss.SSSZ")("2024-01-15T10:20:30.250-0800")).toBe(
      Date.UTC(2024, 0, 15, 18, 20, 30, 250),
    );
    expect(parser("yyyy-MM-dd HH:mm:ss")("2024-01-15 10:20:30")).toBe(Date.UTC(2024, 0, 15, 10, 20, 30));
    expect(parser("yyyy-MM-dd'T'HH:mm:ssX")("2024-01-15T10:20:30Z")).toBe(Date.UTC(2024, 0, 15, 10, 20, 30));
    expect(parser("yyyy-MM-dd'T'HH:mm:ssXXX")("2024-01-15T10:20:30+05:30")).toBe(
      Date.UTC(2024, 0, 15, 4, 50, 30),
    );
    expect(parser("dd/MM/yyyy")("05/03/2024")).toBe(Date.UTC(2024, 2, 5));
    expect(parser("yyyy''MM''dd")("2024'03'05")).toBe(Date.UTC(2024, 2, 5));
  });

  it("refuses values that do not fit or are not dates", () => {
    const p = parser("yyyy-MM-dd HH:mm:ss");
    for (const v of [
      "2024-01-15",
      "2024-02-30 00:00:00",
      "2024-13-01 00:00:00",
      "2024-01-15 24:00:00",
      "x",
    ]) {
      expect(p(v), v).toBeUndefined();
    }
  });

  it("refuses unsupported patterns with a reason", () => {
    for (const f of ["EEE, d MMM yyyy", "yy-MM-dd", "yyyy-MM", "'open", "yyyy-MM-dd hh:mm a"]) {
      expect(typeof compileTimestampFormat(f), f).toBe("string");
    }
  });

  it("round-trips any instant written in ISO form", () => {
    const p = parser("yyyy-MM-dd'T'HH:mm:ss.SSSX");
    const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) });
    fc.assert(
      fc.property(instant, (t) => {
        expect(p(new Date(t).toISOString())).toBe(t);
      }),
    );
  });
});
