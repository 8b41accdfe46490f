import { expect, it } from "vitest";
import {
  normalizeAddress,
  normalizeDate,
  normalizeEmail,
  normalizeMatchPhone,
  normalizeName,
} from "../../../src/ingest/matching/normalize-match-value.ts";

it("names compare without case, accents, punctuation or extra spaces", () => {
  expect(normalizeName("  José  O'Brien ")).toBe("jose obrien");
  expect(normalizeName("JOSE OBRIEN")).toBe("jose obrien");
  expect(normalizeName(" .. ")).toBeUndefined();
});

it("emails compare without case or whitespace; a value without one @ is not an email", () => {
  expect(normalizeEmail(" Ann.Lee@Example.COM ")).toBe("ann.lee@example.com");
  expect(normalizeEmail("ann lee@example.com")).toBe("annlee@example.com");
  for (const bad of ["", "ann", "@example.com", "ann@", "a@b@c"]) expect(normalizeEmail(bad)).toBeUndefined();
});

it("phones in any common US format are one E.164 value; too few digits is no phone", () => {
  const forms = [
    "+15552013344",
    "(555) 201-3344",
    "555-201-3344",
    "555.201.3344",
    "+1 555 201 3344",
    "1-555-201-3344",
  ];
  expect(new Set(forms.map(normalizeMatchPhone))).toEqual(new Set(["+15552013344"]));
  expect(normalizeMatchPhone("x123")).toBeUndefined();
});

it("addresses fold street words and countries; dates become YYYY-MM-DD", () => {
  expect(normalizeAddress("2854 Cedar Street, Apt. 4")).toBe(normalizeAddress("2854 cedar st apt 4"));
  expect(normalizeAddress("United States")).toBe("us");
  expect(normalizeDate("1990-01-02")).toBe("1990-01-02");
  expect(normalizeDate("1990-1-2T00:00:00Z")).toBe("1990-01-02");
  expect(normalizeDate("01/02/1990")).toBe("1990-01-02");
  expect(normalizeDate("19900102")).toBe("1990-01-02");
  expect(normalizeDate("1990-13-02")).toBeUndefined();
  expect(normalizeDate("soon")).toBeUndefined();
});
