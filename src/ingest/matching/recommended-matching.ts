/**
 * The recommended RuleBasedMatching (docs/matching.md): what `profileflow demo` turns on and what the
 * ground-truth test and benchmark measure. Identifying values first (email and phone agreeing, then
 * each with the full name, then each alone — the guards keep a shared value from merging alone), then
 * name with birth date or address; name alone is listed as a match, never merged.
 */
export const RECOMMENDED_RULE_BASED_MATCHING = {
  Enabled: true,
  MatchingRules: [
    { Rule: ["EmailAddress", "PhoneNumber"] },
    { Rule: ["EmailAddress", "FirstName", "LastName"] },
    { Rule: ["PhoneNumber", "FirstName", "LastName"] },
    { Rule: ["EmailAddress"] },
    { Rule: ["PhoneNumber"] },
    { Rule: ["FirstName", "LastName", "BirthDate"] },
    { Rule: ["FirstName", "LastName", "Address"] },
    { Rule: ["FirstName", "LastName"] },
  ],
  MaxAllowedRuleLevelForMerging: 7,
  MaxAllowedRuleLevelForMatching: 8,
  AttributeTypesSelector: {
    AttributeMatchingModel: "MANY_TO_MANY",
    EmailAddress: ["EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"],
    PhoneNumber: ["PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber"],
    Address: ["Address", "MaillingAddress", "ShippingAddress"],
  },
  ConflictResolution: { ConflictResolvingModel: "RECENCY" },
} as const;
