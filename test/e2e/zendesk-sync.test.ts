import { startZendeskSandbox } from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { FAULTS } from "./integration-harness.ts";
import { describeSourceSync } from "./source-sync.ts";

const users = {
  connectorType: "Zendesk",
  propertiesKey: "Zendesk",
  object: "users",
  objectTypeName: "Zendesk-users",
  cursor: "updated_at",
} as const;

describeSourceSync({
  title: "Zendesk users + tickets",
  start: (o) => startZendeskSandbox(o),
  connectorType: "Zendesk",
  // AppFlow's Zendesk profile holds an access token and no refresh token: an expired token is final.
  // 10 export requests a minute would make each run wait out whole minutes of wall time here: the
  // sandbox allows 20× that (as a High Volume account would allow more), and the instance is configured to match.
  knobs: { ...FAULTS, errorRate: { ...FAULTS.errorRate, authExpiry: 0 }, rateLimitScale: 20 },
  instanceLimits: { maxConcurrent: 2, requestsPerSecond: 2, burst: 4 },
  profileConfig: async (sb) => ({
    connectorProfileProperties: { Zendesk: { instanceUrl: sb.url } },
    connectorProfileCredentials: {
      Zendesk: {
        clientId: sb.credentials.clientId,
        clientSecret: sb.credentials.clientSecret,
        accessToken: sb.credentials.accessToken,
      },
    },
  }),
  person: users,
  personKey: "_zendeskUserId",
  // Tickets join their requester's profile; a deleted ticket comes back with status "deleted".
  child: { ...users, object: "tickets", objectTypeName: "Zendesk-tickets" },
  change: { fields: { phone: "+1 415 555 0199" }, shows: (p) => p?.PhoneNumber, expected: "+1 415 555 0199" },
  touch: { notes: "touched" },
  // A user without an id: the connector rejects it before mapping.
  bad: { fields: { id: null }, reasonCode: "connector.record", recordsProcessed: 0 },
});
