import { startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { describeSourceSync } from "./source-sync.ts";

describeSourceSync({
  title: "Marketo leads",
  start: (o) => startMarketoSandbox(o),
  connectorType: "Marketo",
  profileConfig: async (sb) => ({
    connectorProfileProperties: { Marketo: { instanceUrl: sb.url } },
    connectorProfileCredentials: {
      Marketo: { clientId: sb.credentials.clientId, clientSecret: sb.credentials.clientSecret },
    },
  }),
  person: {
    connectorType: "Marketo",
    propertiesKey: "Marketo",
    object: "leads",
    objectTypeName: "Marketo-leads",
    cursor: "updatedAt",
  },
  personKey: "_marketoLeadId",
  change: { fields: { firstName: "Quillon" }, shows: (p) => p?.FirstName, expected: "Quillon" },
  touch: { city: "Springfield" },
});
