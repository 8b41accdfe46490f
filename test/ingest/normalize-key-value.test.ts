import fc from "fast-check";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import { normalizeKeyValue, normalizePhone, wellFormedText } from "../../src/ingest/normalize-key-value.ts";
import { CONTENT_TYPES } from "../../src/ingest/object-type.ts";

describe("normalizeKeyValue", () => {
  it("writes the three spellings of one US number as the same E.164 value", () => {
    const values = ["(415) 555-0134", "415.555.0134", "+1 415 555 0134", "1-415-555-0134", " 4155550134 "];
    for (const v of values) expect(normalizeKeyValue("PHONE_NUMBER", v)).toBe("+14155550134");
  });

  it("accepts possible but unassigned numbers (isPossible, not isValid)", () => {
    // 555-01xx is reserved for fiction: possible, never valid.
    expect(normalizeKeyValue("PHONE_NUMBER", "(212) 555-0199")).toBe("+12125550199");
  });

  it("uses the configured default region for national numbers", () => {
    expect(normalizeKeyValue("PHONE_NUMBER", "020 7946 0018", { defaultRegion: "GB" })).toBe("+442079460018");
    expect(normalizeKeyValue("PHONE_NUMBER", "+44 20 7946 0018")).toBe("+442079460018");
  });

  it("falls back to digits with the leading + kept when a number cannot be parsed", () => {
    expect(normalizeKeyValue("PHONE_NUMBER", "12")).toBe("12");
    expect(normalizeKeyValue("PHONE_NUMBER", "+12")).toBe("+12");
    expect(normalizeKeyValue("PHONE_NUMBER", "ext. 12-34")).toBe("1234");
    expect(normalizeKeyValue("PHONE_NUMBER", "n/a")).toBeUndefined();
  });

  it("lower-cases and trims emails", () => {
    expect(normalizeKeyValue("EMAIL_ADDRESS", "  Ann.Lee@Example.COM ")).toBe("ann.lee@example.com");
  });

  it("trims names and strings and keeps their case", () => {
    expect(normalizeKeyValue("NAME", "  Ann Lee ")).toBe("Ann Lee");
    expect(normalizeKeyValue("STRING", "\tA-1 ")).toBe("A-1");
    expect(normalizeKeyValue(undefined, " x ")).toBe("x");
  });

  it("writes numbers canonically without losing digits of long ids", () => {
    expect(normalizeKeyValue("NUMBER", "+007.50")).toBe("7.5");
    expect(normalizeKeyValue("NUMBER", "-0")).toBe("0");
    expect(normalizeKeyValue("NUMBER", "12345678901234567890")).toBe("12345678901234567890");
    expect(normalizeKeyValue("NUMBER", "abc")).toBe("abc");
  });

  it("treats empty and whitespace-only values as absent for every content type", () => {
    for (const ct of CONTENT_TYPES) {
      expect(normalizeKeyValue(ct, "")).toBeUndefined();
      expect(normalizeKeyValue(ct, " \t\n")).toBeUndefined();
    }
  });

  it("replaces lone surrogates with U+FFFD and keeps surrogate pairs", () => {
    expect(normalizeKeyValue("STRING", "a\ud800b")).toBe("a\ufffdb");
    expect(normalizeKeyValue("EMAIL_ADDRESS", " A\udc00@X.COM ")).toBe("a\ufffd@x.com");
    expect(normalizeKeyValue("NAME", "Ada \ud83d\ude00")).toBe("Ada \ud83d\ude00");
    expect(wellFormedText("\ud800\ud800")).toBe("\ufffd\ufffd");
  });

  it("replaces U+0000 (which PostgreSQL's text refuses) with U+FFFD, on one-byte and two-byte text", () => {
    expect(wellFormedText("a\u0000b\u0000")).toBe("a\ufffdb\ufffd");
    expect(wellFormedText("\ud800\u0000\u00e9")).toBe("\ufffd\ufffd\u00e9");
    expect(normalizeKeyValue("EMAIL_ADDRESS", "A\u0000@X.COM")).toBe("a\ufffd@x.com");
    expect(normalizeKeyValue("STRING", "\u0000")).toBe("\ufffd");
    expect(wellFormedText("plain")).toBe("plain");
  });

  it("memoizes phone numbers and returns the same answer from the memo", () => {
    const first = normalizePhone("(650) 555-0101");
    expect(normalizePhone("(650) 555-0101")).toBe(first);
    expect(first).toBe("+16505550101");
  });
});

describe("normalizeKeyValue properties", () => {
  const anyText = fc.string({ unit: "binary", maxLength: 40 });
  const phoneish = fc.stringMatching(/^\+?[0-9 ().-]{0,20}$/);

  it("is idempotent for every content type", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTENT_TYPES), fc.oneof(anyText, phoneish), (ct, v) => {
        const once = normalizeKeyValue(ct, v);
        if (once !== undefined) expect(normalizeKeyValue(ct, once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("gives a value and its UTF-8 round trip (what a database stores) the same key, itself unchanged by one", () => {
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const text = fc
      .array(fc.oneof(loneSurrogate, fc.string({ unit: "binary", maxLength: 4 })), { maxLength: 12 })
      .map((parts) => parts.join(""));
    const roundTrip = (v: string) => Buffer.from(v, "utf8").toString("utf8");
    fc.assert(
      fc.property(fc.constantFrom(...CONTENT_TYPES), text, (ct, v) => {
        const out = normalizeKeyValue(ct, v);
        expect(normalizeKeyValue(ct, roundTrip(v))).toBe(out);
        if (out !== undefined) expect(roundTrip(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });

  it("never returns surrounding whitespace or an empty string", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTENT_TYPES), anyText, (ct, v) => {
        const out = normalizeKeyValue(ct, v);
        if (out !== undefined) {
          expect(out).not.toBe("");
          expect(out.trim()).toBe(out);
        }
      }),
    );
  });

  it("gives a phone number the same value however a US number is punctuated", () => {
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const area = fc.tuple(fc.integer({ min: 2, max: 9 }), digit, digit).map((a) => a.join(""));
    const exchange = fc.tuple(fc.integer({ min: 2, max: 9 }), digit, digit).map((a) => a.join(""));
    const line = fc.array(digit, { minLength: 4, maxLength: 4 }).map((a) => a.join(""));
    fc.assert(
      fc.property(area, exchange, line, (a, e, l) => {
        const forms = [
          `(${a}) ${e}-${l}`,
          `${a}.${e}.${l}`,
          `+1 ${a} ${e} ${l}`,
          `${a}${e}${l}`,
          `1-${a}-${e}-${l}`,
        ];
        const values = new Set(forms.map((f) => normalizeKeyValue("PHONE_NUMBER", f)));
        expect([...values]).toEqual([`+1${a}${e}${l}`]);
      }),
    );
  });

  it("makes emails equal exactly when they are equal ignoring case and outer spaces", () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), (email, upper) => {
        const variant = `  ${upper ? email.toUpperCase() : email} `;
        expect(normalizeKeyValue("EMAIL_ADDRESS", variant)).toBe(normalizeKeyValue("EMAIL_ADDRESS", email));
      }),
    );
  });
});

describe("the North American fast path", () => {
  it("agrees with libphonenumber-js on punctuated digit strings", () => {
    const chars = fc.constantFrom("0", "1", "2", "4", "5", "9", " ", "(", ")", ".", "-");
    const phone = fc
      .tuple(fc.boolean(), fc.array(chars, { minLength: 1, maxLength: 18 }))
      .map(([plus, cs]) => (plus ? "+" : "") + cs.join(""));
    fc.assert(
      fc.property(phone, (v) => {
        if (v.trim() === "" || v.trim() !== v) return;
        const parsed = parsePhoneNumberFromString(v, "US");
        const expected = parsed?.isPossible() ? parsed.number : undefined;
        if (expected !== undefined) expect(normalizeKeyValue("PHONE_NUMBER", v)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
