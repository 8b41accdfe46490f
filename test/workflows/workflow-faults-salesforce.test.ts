import { salesforce } from "../../src/connectors/salesforce/index.ts";
import { soqlDateTime } from "../../src/connectors/salesforce/query.ts";
import { startSalesforceSandbox } from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { truth } from "../connectors/salesforce/harness.ts";
import { faultSuite, START } from "./fault-suite.ts";

faultSuite({
  connectorType: "Salesforce",
  propertyKey: "Salesforce",
  object: "Contact",
  cursorField: "SystemModstamp",
  fields: ["Id", "AccountId", "FirstName", "LastName", "Email", "SystemModstamp"],
  spec: salesforce,
  start: () => startSalesforceSandbox({ seed: 7, people: 300, clock: { start: START, speed: 0 } }),
  connectorProfile: (sb) => ({
    connectorProfileProperties: { Salesforce: { instanceUrl: sb.credentials.instanceUrl } },
    connectorProfileCredentials: { Salesforce: { accessToken: sb.credentials.accessToken } },
  }),
  truth: (sb, from, to) => truth(sb, "Contact", from, to),
  // A window's first query (REST, SOQL in the URL) carries its lower bound; the window before ends there with `<`.
  windowRequest: (from) => ({ pathContains: `SystemModstamp >= ${soqlDateTime(from)}` }),
});
