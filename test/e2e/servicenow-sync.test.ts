import { startServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { describeSourceSync } from "./source-sync.ts";

const sysUser = {
  connectorType: "Servicenow",
  propertiesKey: "ServiceNow",
  object: "sys_user",
  objectTypeName: "Servicenow-sys_user",
  cursor: "sys_updated_on",
} as const;

describeSourceSync({
  title: "ServiceNow sys_user + incident",
  start: (o) => startServiceNowSandbox(o),
  connectorType: "Servicenow",
  profileConfig: async (sb) => ({
    connectorProfileProperties: { ServiceNow: { instanceUrl: sb.url } },
    connectorProfileCredentials: {
      ServiceNow: { username: sb.credentials.username, password: sb.credentials.password },
    },
  }),
  person: sysUser,
  personKey: "_serviceNowSystemId",
  child: { ...sysUser, object: "incident", objectTypeName: "Servicenow-incident" },
  change: { fields: { first_name: "Quillon" }, shows: (p) => p?.FirstName, expected: "Quillon" },
  touch: { title: "Director" },
  // A row without a usable sys_id: the connector rejects it before mapping.
  bad: { fields: { sys_id: "" }, reasonCode: "connector.record", recordsProcessed: 0 },
});
