import { marketo } from "../../src/connectors/marketo/index.ts";
import { isoSeconds } from "../../src/connectors/marketo/query.ts";
import { startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { truth } from "../connectors/marketo/harness.ts";
import { faultSuite, START } from "./fault-suite.ts";

faultSuite({
  connectorType: "Marketo",
  propertyKey: "Marketo",
  object: "leads",
  cursorField: "updatedAt",
  fields: ["id", "firstName", "lastName", "email", "updatedAt"],
  spec: marketo,
  start: () => startMarketoSandbox({ seed: 19, people: 300, clock: { start: START, speed: 0 } }),
  connectorProfile: (sb) => ({
    connectorProfileProperties: { Marketo: { instanceUrl: sb.credentials.instanceUrl } },
    connectorProfileCredentials: {
      Marketo: { clientId: sb.credentials.clientId, clientSecret: sb.credentials.clientSecret },
    },
  }),
  truth: (sb, from, to) => truth(sb, from, to),
  // A window is read by a Bulk Lead Extract whose create call carries the window's start in its JSON body.
  windowRequest: (from) => ({ bodyContains: `"startAt":"${isoSeconds(from)}"` }),
});
