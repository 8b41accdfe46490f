import {
  type ConnectorType,
  CreateConnectorProfileCommand,
  DescribeConnectorProfilesCommand,
} from "@aws-sdk/client-appflow";
import type { ApiClients } from "./api-clients.ts";
import type { IntegrateFlags, Need, SOURCES, SourceName } from "./integrate-options.ts";
import type { Prompter } from "./prompter.ts";

/** The seed's step 2: an existing connection, or a new one created (and so tested) until it says Connected. */
export async function establishConnection(
  api: ApiClients,
  f: IntegrateFlags,
  source: (typeof SOURCES)[SourceName],
  out: NodeJS.WritableStream,
  prompter: Prompter | undefined,
  need: Need,
): Promise<string> {
  if (f.connection) return f.connection;
  const existing = (
    (
      await api.appflow.send(
        new DescribeConnectorProfilesCommand({ connectorType: source.type as ConnectorType }),
      )
    ).connectorProfileDetails ?? []
  ).map((p) => p.connectorProfileName ?? "");
  if (!f.newConnection && prompter && existing.length > 0) {
    const pick = await prompter.choose("Connection", [...existing, "create new connection"]);
    if (pick !== "create new connection") return pick;
  }
  const name = await need(f.newConnection, "New connection name", `${source.key.toLowerCase()}-connection`);
  for (;;) {
    const instanceUrl = await need(f.instanceUrl, `${source.type} instance URL`);
    const given = Object.fromEntries(
      (f.credential ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const creds: Record<string, string> = {};
    for (const k of source.secrets) {
      const v = given[k] ?? (prompter ? await prompter.ask(k) : undefined);
      if (v) creds[k] = v;
    }
    try {
      await api.appflow.send(
        new CreateConnectorProfileCommand({
          connectorProfileName: name,
          connectorType: source.type as ConnectorType,
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { [source.key]: { instanceUrl } },
            connectorProfileCredentials: { [source.key]: creds },
          },
        }),
      );
      out.write(`connection ${name}: Connected\n`);
      return name;
    } catch (e) {
      out.write(`connection test failed: ${(e as Error).message}\n`);
      // Flags cannot change between tries: only a terminal can answer again.
      if (!prompter) throw e;
      const { instanceUrl: _url, credential: _creds, ...rest } = f;
      f = rest;
    }
  }
}
