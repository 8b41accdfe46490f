import { describe, expect, it } from "vitest";
import { PREDEFINED_SEARCH_KEYS, profileKeys, searchKeyContentType } from "../../src/ingest/search-keys.ts";

describe("profileKeys", () => {
  it("indexes emails, phones, names, account number and profile id, normalized", () => {
    const keys = profileKeys({
      ProfileId: "0123456789abcdef0123456789abcdef",
      FirstName: " Ann ",
      MiddleName: "B",
      LastName: "Lee",
      AccountNumber: "A-1",
      EmailAddress: "Ann@Example.com",
      BusinessEmailAddress: "ann@example.com",
      PersonalEmailAddress: "ann@home.org",
      PhoneNumber: "(415) 555-0134",
      MobilePhoneNumber: "+1 415 555 0134",
      Address: { City: "SF" },
    });
    expect(keys.map((k) => [k.name, k.value])).toEqual([
      ["_email", "ann@example.com"],
      ["_email", "ann@home.org"],
      ["_phone", "+14155550134"],
      ["_account", "A-1"],
      ["_fullName", "Ann Lee"],
      ["_fullName", "Ann B Lee"],
      ["_profileId", "0123456789abcdef0123456789abcdef"],
    ]);
    expect(keys.find((k) => k.name === "_phone")?.contentType).toBe("PHONE_NUMBER");
  });

  it("returns nothing for an empty profile and handles one-part names", () => {
    expect(profileKeys({})).toEqual([]);
    expect(profileKeys({ LastName: "Lee", FirstName: " " })).toEqual([
      { name: "_fullName", value: "Lee", contentType: "NAME" },
    ]);
  });

  it("uses the given default region", () => {
    expect(profileKeys({ PhoneNumber: "020 7946 0018" }, { defaultRegion: "GB" })[0]?.value).toBe(
      "+442079460018",
    );
  });
});

describe("searchKeyContentType", () => {
  it("knows the predefined keys and falls back to the defined keys, then STRING", () => {
    expect(searchKeyContentType("_phone")).toBe(PREDEFINED_SEARCH_KEYS._phone);
    expect(searchKeyContentType("_custom", new Map([["_custom", "EMAIL_ADDRESS"]]))).toBe("EMAIL_ADDRESS");
    expect(searchKeyContentType("_salesforceContactId")).toBe("STRING");
    expect(searchKeyContentType("toString")).toBe("STRING");
  });
});
