import { expect, it } from "vitest";
import {
  compileMatchingRules,
  matchValues,
  projectValue,
  ruleProjections,
} from "../../../src/ingest/matching/matching-rules.ts";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../../src/ingest/matching/recommended-matching.ts";

const recommended = compileMatchingRules(RECOMMENDED_RULE_BASED_MATCHING as never);
const level = (rules: typeof recommended, keyName: string) =>
  rules.rules.find((r) => r.keyName === keyName)!.level;

it("each recommended rule projects onto the smaller rules made of its attributes", () => {
  const projections = ruleProjections(recommended);
  const byLevel = Object.fromEntries(
    recommended.rules.map((r) => [
      r.level,
      (projections.get(r.keyName) ?? []).map((p) => level(recommended, p.keyName)).sort(),
    ]),
  );
  expect(byLevel).toEqual({ 1: [4, 5], 2: [4, 8], 3: [5, 8], 4: [], 5: [], 6: [8], 7: [8], 8: [] });
});

it("whoever holds a rule's value holds its projections: they are among the same object's values", () => {
  const oneToOne = compileMatchingRules({
    ...RECOMMENDED_RULE_BASED_MATCHING,
    AttributeTypesSelector: {
      ...RECOMMENDED_RULE_BASED_MATCHING.AttributeTypesSelector,
      AttributeMatchingModel: "ONE_TO_ONE",
    },
  } as never);
  const objects = [
    {
      FirstName: "Ann",
      LastName: "Lee",
      EmailAddress: "ann@x.com",
      PersonalEmailAddress: "ann.lee@y.com",
      BusinessEmailAddress: "lee@corp.com",
      PhoneNumber: "555-201-3344",
      MobilePhoneNumber: "555-201-9999",
      HomePhoneNumber: "555-201-0000",
      BirthDate: "1980-02-03",
      "Address.Address1": "1 Main St",
      "Address.City": "Springfield",
      "ShippingAddress.Address1": "2 Elm St",
      "ShippingAddress.PostalCode": "12345",
    },
    { FirstName: "Bo", EmailAddress: "bo@x.com", PhoneNumber: "555-111-2222" },
  ];
  for (const rules of [recommended, oneToOne]) {
    const projections = ruleProjections(rules);
    for (const leaves of objects) {
      const values = matchValues(rules, leaves);
      const held = new Set(values.map((v) => `${v.keyName} ${v.value}`));
      let checked = 0;
      for (const v of values) {
        for (const p of projections.get(v.keyName) ?? []) {
          expect(held).toContain(`${p.keyName} ${projectValue(v.value, p.positions)}`);
          checked++;
        }
      }
      if (leaves.FirstName === "Ann") expect(checked).toBeGreaterThan(10);
    }
  }
});

it("a smaller rule whose values may be cut (more than 16 combinations) is no projection", () => {
  const rules = compileMatchingRules({
    Enabled: true,
    MatchingRules: [
      { Rule: ["Address", "EmailAddress", "FirstName"] },
      { Rule: ["Address", "EmailAddress"] },
      { Rule: ["FirstName"] },
    ],
    AttributeTypesSelector: {
      AttributeMatchingModel: "MANY_TO_MANY",
      EmailAddress: ["EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"],
      Address: [
        "Address",
        "MaillingAddress",
        "ShippingAddress",
        "BillingAddress",
        "BusinessAddress",
        "MailingAddress",
      ],
    },
  } as never);
  const projections = ruleProjections(rules);
  expect((projections.get(rules.rules[0]!.keyName) ?? []).map((p) => level(rules, p.keyName))).toEqual([3]);
});
