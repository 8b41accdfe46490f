import type { Config } from "../config/config.ts";
import type { AccessKey } from "../security/access-key-store.ts";

/** The ready-to-paste lines that point the AWS SDK / CLI at a running profileflow. */
export function connectionHelp(
  endpoint: string,
  config: Config,
  key: AccessKey,
  showSecret: boolean,
): string {
  const secret = showSecret
    ? key.secretAccessKey
    : "<see PROFILEFLOW_SECRET_ACCESS_KEY or the data directory's credentials file>";
  return `profileflow is listening on ${endpoint}
  data: ${config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDir}`}   region: ${config.region}   account: ${config.accountId}
  console: ${endpoint}/console/   sign in with the access key ID and secret access key below
${showSecret ? `  a root access key was generated (also in ${config.dataDir}/credentials, mode 0600); it is shown only this once.\n` : ""}
AWS CLI:
  export AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY=${secret} AWS_REGION=${config.region} AWS_DEFAULT_REGION=${config.region}
  aws customer-profiles list-domains --endpoint-url ${endpoint}
  aws appflow list-flows --endpoint-url ${endpoint}

AWS SDK for JavaScript v3:
  new CustomerProfilesClient({ endpoint: "${endpoint}", region: "${config.region}",
    credentials: { accessKeyId: "${key.accessKeyId}", secretAccessKey: "${secret}" } })
`;
}
