import { HostAllowList } from "../connectors/sdk/index.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { SourceConnectorType } from "../db/schema/flows.ts";
import type {
  ConnectionStatus,
  ConnectorProfile,
  ConnectorProfileStore,
} from "../flows/connector-profile-store.ts";
import { assertAllowedVendorHost, assertCredentialsFollowHost } from "../flows/credential-binding.ts";
import type { FlowStore } from "../flows/flow-store.ts";
import type { IdempotencyPort, Replayable } from "./replayable.ts";

/** Tests a connection with the connector's own code: "Connected" or the precise reason it failed. */
export type ConnectionTester = (profile: {
  connectorType: string;
  properties: Record<string, unknown>;
  credentials: Record<string, unknown>;
}) => Promise<{ status: ConnectionStatus; message?: string | undefined }>;

export interface ConnectorProfileServiceDeps {
  readonly db: Queryable;
  readonly profiles: ConnectorProfileStore;
  readonly flows: FlowStore;
  readonly test: ConnectionTester;
  /** clientToken records, written in the write's transaction. */
  readonly idempotency: IdempotencyPort;
  /** Hosts a connector profile may name (setting vendorHosts); any host when absent. */
  readonly vendorHosts?: HostAllowList | undefined;
}

/** A validated CreateConnectorProfile / UpdateConnectorProfile: one connector's properties and credentials. */
export interface ConnectorProfileChange {
  readonly name: string;
  readonly connectionMode: string;
  /** The properties key of the connector type (Salesforce, ServiceNow, Marketo, Zendesk). */
  readonly key: string;
  readonly properties: Record<string, unknown>;
  /** Absent on an update: the stored credentials stay (only while instanceUrl keeps its host). */
  readonly credentials: Record<string, unknown> | undefined;
}

export interface NewConnectorProfile extends ConnectorProfileChange {
  readonly connectorType: SourceConnectorType;
  readonly connectorLabel?: string | undefined;
  readonly kmsArn?: string | undefined;
}

/** Which profiles DescribeConnectorProfiles lists. */
export interface ConnectorProfileFilter {
  readonly names?: string[] | undefined;
  readonly connectorType?: SourceConnectorType | undefined;
  readonly connectorLabel?: string | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

/**
 * Connector profiles. The connection test (a call to the vendor) runs before the write's transaction,
 * never inside it; the write re-reads what it changes, so each operation commits as one transaction.
 */
export class ConnectorProfileService {
  readonly #hosts: HostAllowList;

  constructor(private readonly d: ConnectorProfileServiceDeps) {
    this.#hosts = d.vendorHosts ?? HostAllowList.any();
  }

  /** CreateConnectorProfile: refused unless the connection test passes. */
  async create<R>(input: NewConnectorProfile, call: Replayable<ConnectorProfile, R>): Promise<R> {
    const op = "CreateConnectorProfile";
    const replay = await this.d.idempotency.replayIn<R>(this.d.db, op, call.token, call.request);
    if (replay) return replay.response;
    assertAllowedVendorHost(this.#hosts, input.key, input.properties["instanceUrl"]);
    if (await this.d.profiles.get(this.d.db, input.name)) throw alreadyExists(input.name);
    const tested = await this.#testOrThrow(input.connectorType, input.properties, input.credentials ?? {});
    return this.#write(op, call, (tx) =>
      this.d.profiles.create(tx, {
        name: input.name,
        connectorType: input.connectorType,
        connectorLabel: input.connectorLabel,
        connectionMode: input.connectionMode,
        properties: { [input.key]: input.properties },
        credentials: input.credentials ? { [input.key]: input.credentials } : undefined,
        kmsArn: input.kmsArn,
        connectionStatus: tested.status,
        connectionMessage: tested.message,
      }),
    );
  }

  /** UpdateConnectorProfile: new properties (and credentials), refused unless the connection test passes. */
  async update<R>(input: ConnectorProfileChange, call: Replayable<ConnectorProfile, R>): Promise<R> {
    const op = "UpdateConnectorProfile";
    const replay = await this.d.idempotency.replayIn<R>(this.d.db, op, call.token, call.request);
    if (replay) return replay.response;
    const existing = await this.d.profiles.require(this.d.db, input.name);
    this.#checkChange(existing, input);
    const effective =
      input.credentials ?? (await this.d.profiles.credentials(this.d.db, existing.name))?.[input.key] ?? {};
    const tested = await this.#testOrThrow(existing.connectorType, input.properties, effective);
    return this.#write(op, call, async (tx) => {
      // What was tested is what is written: the binding is checked again against the row being replaced.
      const current = await this.d.profiles.require(tx, input.name);
      this.#checkChange(current, input);
      return this.d.profiles.update(tx, {
        name: current.name,
        connectorType: current.connectorType,
        connectionMode: input.connectionMode,
        properties: { [input.key]: input.properties },
        credentials: input.credentials ? { [input.key]: input.credentials } : undefined,
        connectionStatus: tested.status,
        connectionMessage: tested.message,
      });
    });
  }

  /** The profile or RESOURCE_NOT_FOUND. */
  require(name: string): Promise<ConnectorProfile> {
    return this.d.profiles.require(this.d.db, name);
  }

  /** DescribeConnectorProfiles: profiles ordered by name. */
  list(filter: ConnectorProfileFilter): Promise<ConnectorProfile[]> {
    return this.d.profiles.list(this.d.db, filter);
  }

  /** DeleteConnectorProfile: CONFLICT while flows read through it, unless forced. */
  delete(name: string, o: { force: boolean }): Promise<void> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.profiles.require(tx, name);
      const users = await this.d.flows.usingConnectorProfile(tx, name);
      if (users.length > 0 && !o.force) {
        throw new ProfileflowError(
          "CONFLICT",
          `Connector profile ${name} is in use by flows: ${users.join(", ")}.`,
        );
      }
      await this.d.profiles.delete(tx, name);
    });
  }

  /** Extension: re-tests a saved connection and keeps its status ("Connected" or the precise reason). */
  async retest(
    name: string,
    key: string,
  ): Promise<{ status: ConnectionStatus; message?: string | undefined }> {
    const p = await this.d.profiles.require(this.d.db, name);
    const result = await this.d.test({
      connectorType: p.connectorType,
      properties: p.properties[key] ?? {},
      credentials: (await this.d.profiles.credentials(this.d.db, name))?.[key] ?? {},
    });
    await this.d.db.transaction().execute(async (tx) => {
      const current = await this.d.profiles.require(tx, name);
      await this.d.profiles.update(tx, {
        name,
        connectorType: current.connectorType,
        connectionMode: current.connectionMode,
        properties: current.properties,
        credentials: undefined,
        connectionStatus: result.status,
        connectionMessage: result.message,
      });
    });
    return result;
  }

  /** The write's transaction: the clientToken's lookup, the write and the token's record commit together. */
  #write<T, R>(operation: string, call: Replayable<T, R>, fn: (tx: Queryable) => Promise<T>): Promise<R> {
    return this.d.db
      .transaction()
      .execute((tx) =>
        this.d.idempotency.runIn(tx, operation, call.token, call.request, async (t) =>
          call.respond(await fn(t)),
        ),
      );
  }

  #checkChange(existing: ConnectorProfile, input: ConnectorProfileChange): void {
    assertAllowedVendorHost(this.#hosts, input.key, input.properties["instanceUrl"]);
    // Before anything is contacted: stored credentials never follow a new instanceUrl.
    assertCredentialsFollowHost(
      input.key,
      existing.properties[input.key],
      input.properties,
      input.credentials !== undefined,
    );
  }

  async #testOrThrow(
    connectorType: string,
    properties: Record<string, unknown>,
    credentials: Record<string, unknown>,
  ) {
    const result = await this.d.test({ connectorType, properties, credentials });
    if (result.status === "Failed") {
      throw new ProfileflowError(
        "CONNECTOR_AUTHENTICATION",
        `Connection test failed: ${result.message ?? "the source refused the credentials"}`,
      );
    }
    return result;
  }
}

function alreadyExists(name: string): ProfileflowError {
  return new ProfileflowError("ALREADY_EXISTS", `Connector profile with name ${name} already exists.`);
}
