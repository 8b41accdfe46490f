import { servicenow } from "../../src/connectors/servicenow/index.ts";
import { startServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { truth } from "../connectors/servicenow/harness.ts";
import { faultSuite, START } from "./fault-suite.ts";

const glide = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

faultSuite({
  connectorType: "Servicenow",
  propertyKey: "ServiceNow",
  object: "sys_user",
  cursorField: "sys_updated_on",
  fields: ["sys_id", "email", "first_name", "last_name", "sys_updated_on"],
  spec: servicenow,
  start: () => startServiceNowSandbox({ seed: 11, people: 150, clock: { start: START, speed: 0 } }),
  connectorProfile: (sb) => ({
    connectorProfileProperties: { ServiceNow: { instanceUrl: sb.url } },
    connectorProfileCredentials: {
      ServiceNow: { username: sb.credentials.username, password: sb.credentials.password },
    },
  }),
  truth: (sb, from, to) => truth(sb, "sys_user", from, to),
  // Every keyset page of a window carries its lower bound; the window before ends there with `<`.
  windowRequest: (from) => ({ pathContains: `sys_updated_on>=${glide(from)}` }),
});
