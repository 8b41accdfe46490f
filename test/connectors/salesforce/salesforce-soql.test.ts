import { describe, expect, it } from "vitest";
import { parseSfDateTime, soqlDateTime, windowSoql } from "../../../src/connectors/salesforce/query.ts";

describe("SOQL literals", () => {
  it("formats windows and keysets, and parses both datetime forms", () => {
    expect(soqlDateTime(Date.UTC(2024, 0, 1))).toBe("2024-01-01T00:00:00Z");
    expect(soqlDateTime(Date.UTC(2024, 0, 1, 0, 0, 0, 250))).toBe("2024-01-01T00:00:00.250Z");
    const at = Date.UTC(2024, 6, 24, 14, 5, 58);
    expect(parseSfDateTime("2024-07-24T14:05:58.000+0000")).toBe(at);
    expect(parseSfDateTime("2024-07-24T14:05:58.000Z")).toBe(at);
    expect(parseSfDateTime("2024-07-24T16:05:58+02:00")).toBe(at);
    expect(parseSfDateTime("24 July")).toBeUndefined();
    expect(windowSoql("Contact", ["Id", "Email"], at, at + 1000, { at, after: "003x" }, 5)).toBe(
      "SELECT Id, Email FROM Contact WHERE SystemModstamp >= 2024-07-24T14:05:58Z AND SystemModstamp < " +
        "2024-07-24T14:05:59Z AND (SystemModstamp > 2024-07-24T14:05:58Z OR (SystemModstamp = " +
        "2024-07-24T14:05:58Z AND Id > '003x')) ORDER BY SystemModstamp ASC, Id ASC LIMIT 5",
    );
  });
});
