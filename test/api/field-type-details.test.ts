import { describe, expect, it } from "vitest";
import { fieldTypeDetails } from "../../src/api/appflow/field-type-details.ts";

describe("fieldTypeDetails (DescribeConnectorEntity's supportedFieldTypeDetails.v1)", () => {
  it("keeps the vendor's type and offers the filters that fit a value of that kind", () => {
    expect(fieldTypeDetails("Salesforce", "datetime")).toEqual({
      fieldType: "datetime",
      filterOperators: [
        "EQUAL_TO",
        "NOT_EQUAL_TO",
        "LESS_THAN",
        "GREATER_THAN",
        "LESS_THAN_OR_EQUAL_TO",
        "GREATER_THAN_OR_EQUAL_TO",
        "BETWEEN",
      ],
    });
    expect(fieldTypeDetails("Salesforce", "email").filterOperators).toEqual([
      "EQUAL_TO",
      "NOT_EQUAL_TO",
      "CONTAINS",
    ]);
    expect(fieldTypeDetails("Salesforce", "boolean")).toEqual({
      fieldType: "boolean",
      filterOperators: ["EQUAL_TO", "NOT_EQUAL_TO"],
      supportedValues: ["true", "false"],
    });
  });

  it("offers only the operators the connector accepts in a Filter task", () => {
    // Marketo has no comparison operators besides GREATER_THAN / LESS_THAN / BETWEEN; Zendesk only GREATER_THAN.
    expect(fieldTypeDetails("Marketo", "integer").filterOperators).toEqual([
      "LESS_THAN",
      "GREATER_THAN",
      "BETWEEN",
    ]);
    expect(fieldTypeDetails("Marketo", "string").filterOperators).toEqual([]);
    expect(fieldTypeDetails("Zendesk", "integer").filterOperators).toEqual(["GREATER_THAN"]);
    expect(fieldTypeDetails("Servicenow", "glide_date_time").filterOperators).toContain("BETWEEN");
  });
});
