import { describe, expect, it } from "vitest";
import { blindIndex } from "../../src/security/kms/blind-index.ts";

// Indexes already stored must keep finding their values: these were computed by the first
// implementation (HMAC-SHA256 updated with the name, U+0000, then the value; 16 bytes, base64url).
describe("blindIndex", () => {
  const key = Buffer.alloc(32, 7);

  it.each([
    ["_email", "jessica.martinez952@yahoo.com", "pfh1.lRowu7aS1M98tmaD7QMk8g"],
    ["_phone", "+12063126015", "pfh1.tk6E3KOKQpr42IRy9nkAOA"],
    ["_fullName", "zoë ångström", "pfh1.hFppEGkMVyzkBf9l6mddFw"],
  ])("keeps the stored format for %s", (name, value, stored) => {
    expect(blindIndex(key, `${name}\u0000${value}`)).toBe(stored);
  });

  it("depends on the key, the name and the value", () => {
    const base = blindIndex(key, "_email\u0000a@b.c");
    expect(blindIndex(Buffer.alloc(32, 8), "_email\u0000a@b.c")).not.toBe(base);
    expect(blindIndex(key, "_phone\u0000a@b.c")).not.toBe(base);
    expect(blindIndex(key, "_email\u0000a@b.d")).not.toBe(base);
    expect(base).toMatch(/^pfh1\.[A-Za-z0-9_-]{22}$/);
  });
});
