import { expect, it } from "vitest";
import { compileMatchingRules, matchValues } from "../../../src/ingest/matching/matching-rules.ts";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../../src/ingest/matching/recommended-matching.ts";
import { pairKey } from "../../../src/profiles/key-index.ts";
import { findRuleEdges, mergeGroups } from "../../../src/profiles/matching/rule-matcher.ts";

const rules = compileMatchingRules(RECOMMENDED_RULE_BASED_MATCHING as never);

/** Profiles as leaves → what the matcher reads when each is a subject and every value's holders are known. */
function world(profiles: Record<string, Record<string, string>>) {
  const subjects = new Map(Object.entries(profiles).map(([id, leaves]) => [id, matchValues(rules, leaves)]));
  const owners = new Map<string, Set<string>>();
  for (const [id, values] of subjects) {
    for (const v of values) {
      const k = pairKey(v.keyName, v.value);
      owners.set(k, (owners.get(k) ?? new Set()).add(id));
    }
  }
  const fields = new Map(Object.entries(profiles));
  const edges = findRuleEdges(rules, { subjects, owners, fields });
  return { edges, groups: mergeGroups(edges, fields) };
}

it("one person's records in different formats merge by the lowest rule they satisfy", () => {
  const { edges, groups } = world({
    a: { FirstName: "Ann", LastName: "Lee", EmailAddress: "Ann.Lee@X.com", PhoneNumber: "(555) 201-3344" },
    b: { EmailAddress: " ann.lee@x.com", MobilePhoneNumber: "+1 555 201 3344" },
  });
  expect(edges).toEqual([expect.objectContaining({ a: "a", b: "b", level: 1 })]);
  expect(edges[0]!.hold).toBeUndefined();
  expect(groups.map((g) => g.members.sort())).toEqual([["a", "b"]]);
});

it("a role mailbox alone never merges; with the full name it does", () => {
  const alone = world({
    a: { FirstName: "Bob", LastName: "Ames", EmailAddress: "info@acme.example" },
    b: { EmailAddress: "INFO@acme.example" },
  });
  expect(alone.edges.map((e) => e.hold)).toEqual(["SHARED_VALUE"]);
  expect(alone.groups).toEqual([]);
  const named = world({
    a: { FirstName: "Bob", LastName: "Ames", EmailAddress: "info@acme.example" },
    b: { FirstName: "bob", LastName: "AMES", EmailAddress: "info@acme.example" },
  });
  expect(named.edges).toEqual([expect.objectContaining({ level: 2 })]);
  expect(named.groups).toHaveLength(1);
});

it("a value held by people with different first names is shared: it does not merge a third record alone", () => {
  const { edges, groups } = world({
    a: { FirstName: "Ann", PhoneNumber: "555-201-0000" },
    b: { FirstName: "Tom", PhoneNumber: "555-201-0000" },
    c: { PhoneNumber: "+15552010000" },
  });
  expect(edges.every((e) => e.hold !== undefined)).toBe(true);
  expect(groups).toEqual([]);
});

it("name-only agreement is a match that never merges; different birth dates veto a merge", () => {
  const names = world({
    a: { FirstName: "Carl", LastName: "Diaz" },
    b: { FirstName: "carl", LastName: "diaz" },
  });
  expect(names.edges).toEqual([expect.objectContaining({ level: 8, hold: "NAMES_ONLY" })]);
  expect(names.groups).toEqual([]);
  const dates = world({
    a: { FirstName: "Dan", EmailAddress: "dan@fox.example", BirthDate: "1980-01-02" },
    b: { FirstName: "Dan", EmailAddress: "dan@fox.example", BirthDate: "1991-05-06" },
  });
  expect(dates.edges.map((e) => e.hold)).toEqual(["CONFLICTING_BIRTH_DATE"]);
  expect(dates.groups).toEqual([]);
});

it("a record without a name cannot chain two people with different first names into one group", () => {
  const { groups } = world({
    ann: { FirstName: "Ann", EmailAddress: "ann@x.example" },
    z: { EmailAddress: "ann@x.example", PhoneNumber: "555-777-1234" },
    tom: { FirstName: "Tom", PhoneNumber: "555-777-1234" },
  });
  expect(groups).toHaveLength(1);
  expect(groups[0]!.members).toHaveLength(2);
});
