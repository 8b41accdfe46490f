import { describe, expect, it } from "vitest";
import { isProfileflowError } from "../../src/core/errors.ts";
import type { Json } from "../../src/db/json-column.ts";
import { grantConstraintsColumn, grantOperationsColumn } from "../../src/security/kms/kms-grant-columns.ts";

describe("kms_grants' JSON columns", () => {
  it("round-trip a grant's operations and constraints", () => {
    const ops = grantOperationsColumn.stringify(["Encrypt", "Decrypt"]);
    expect(grantOperationsColumn.parse(ops)).toEqual(["Encrypt", "Decrypt"]);
    const c = grantConstraintsColumn.stringify({ EncryptionContextSubset: { domain: "d" } });
    expect(grantConstraintsColumn.parse(c)).toEqual({ EncryptionContextSubset: { domain: "d" } });
  });

  it("refuse a malformed stored value with STORED_DATA_INVALID naming the column", () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isProfileflowError(e) ? `${e.code} ${e.message}` : String(e);
      }
      return "no error";
    };
    expect(bad(() => grantOperationsColumn.parse('["Encrypt", 3]' as Json<"kms_grants.operations">))).toMatch(
      /^STORED_DATA_INVALID kms_grants\.operations/,
    );
    expect(
      bad(() =>
        grantConstraintsColumn.parse('{"EncryptionContextEquals":{"a":1}}' as Json<"kms_grants.constraints">),
      ),
    ).toMatch(/^STORED_DATA_INVALID kms_grants\.constraints/);
  });
});
