import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { SecretBox } from "../core/secret-box.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Database } from "../db/schema.ts";
import { connectorMembersSchema, connectorPropertiesColumn } from "./connector-profile-properties-column.ts";
import type { KeyedSealer } from "./keyed-sealer.ts";

export type { ConnectionStatus } from "../db/schema/flows.ts";

import type { ConnectionStatus, SourceConnectorType } from "../db/schema/flows.ts";

export interface ConnectorProfile {
  name: string;
  arn: string;
  connectorType: SourceConnectorType;
  connectorLabel: string | undefined;
  connectionMode: string;
  /** connectorProfileProperties as given, keyed by the properties key (Salesforce, ServiceNow, …). */
  properties: Record<string, Record<string, unknown>>;
  kmsArn: string | undefined;
  connectionStatus: ConnectionStatus;
  connectionMessage: string | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectorProfileInput {
  name: string;
  connectorType: SourceConnectorType;
  connectorLabel?: string | undefined;
  connectionMode: string;
  properties: Record<string, Record<string, unknown>>;
  credentials: Record<string, Record<string, unknown>> | undefined;
  kmsArn?: string | undefined;
  connectionStatus: ConnectionStatus;
  connectionMessage?: string | undefined;
}

/** Saved connections; credentials are sealed at rest and only ever opened to run a flow. */
export class ConnectorProfileStore {
  constructor(
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly arnPrefix: string,
    /** Seals credentials under the profile's kmsArn when it names one (else the master key's box). */
    private readonly keyed?: KeyedSealer,
  ) {}

  /** Credentials sealed under the profile's KMS key when it has one, else by the master key. */
  async #seal(
    q: Queryable,
    name: string,
    kmsArn: string | null | undefined,
    credentials: unknown,
  ): Promise<string> {
    const text = JSON.stringify(credentials);
    if (!kmsArn || !this.keyed) return this.box.seal(text);
    return this.keyed.sealIn(q, kmsArn, text, { connectorProfile: name });
  }

  /** Creates a profile; ALREADY_EXISTS when the name is taken. */
  async create(q: Queryable, input: ConnectorProfileInput): Promise<ConnectorProfile> {
    if (await this.get(q, input.name)) {
      throw new ProfileflowError(
        "ALREADY_EXISTS",
        `Connector profile with name ${input.name} already exists.`,
      );
    }
    if (input.kmsArn && this.keyed) await this.keyed.checkKeyIn(q, input.kmsArn, "kmsArn");
    const now = this.clock.now();
    const sealed = input.credentials
      ? await this.#seal(q, input.name, input.kmsArn, input.credentials)
      : null;
    await q
      .insertInto("connector_profiles")
      .values({
        name: input.name,
        arn: `${this.arnPrefix}${input.name}`,
        connector_type: input.connectorType,
        connector_label: input.connectorLabel ?? null,
        connection_mode: input.connectionMode,
        properties: connectorPropertiesColumn.stringify(input.properties),
        credentials_sealed: sealed,
        kms_arn: input.kmsArn ?? null,
        connection_status: input.connectionStatus,
        connection_message: input.connectionMessage ?? null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return (await this.get(q, input.name))!;
  }

  /** Replaces properties, credentials (when given) and the connection status. */
  async update(q: Queryable, input: ConnectorProfileInput): Promise<ConnectorProfile> {
    const now = this.clock.now();
    const kmsArn = input.credentials && (await this.get(q, input.name))?.kmsArn;
    const sealed = input.credentials && (await this.#seal(q, input.name, kmsArn, input.credentials));
    const res = await q
      .updateTable("connector_profiles")
      .set({
        connection_mode: input.connectionMode,
        properties: connectorPropertiesColumn.stringify(input.properties),
        ...(sealed ? { credentials_sealed: sealed } : {}),
        connection_status: input.connectionStatus,
        connection_message: input.connectionMessage ?? null,
        updated_at: now,
      })
      .where("name", "=", input.name)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound(input.name);
    return (await this.get(q, input.name))!;
  }

  /** The profile with this name, without credentials. */
  async get(q: Queryable, name: string): Promise<ConnectorProfile | undefined> {
    const row = await q
      .selectFrom("connector_profiles")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? toProfile(row) : undefined;
  }

  /** The profile or RESOURCE_NOT_FOUND. */
  async require(q: Queryable, name: string): Promise<ConnectorProfile> {
    const p = await this.get(q, name);
    if (!p) throw notFound(name);
    return p;
  }

  /** The decrypted credentials of a profile (to run a flow or test a connection). */
  async credentials(
    q: Queryable,
    name: string,
  ): Promise<Record<string, Record<string, unknown>> | undefined> {
    const row = await q
      .selectFrom("connector_profiles")
      .select("credentials_sealed")
      .where("name", "=", name)
      .executeTakeFirst();
    if (!row) throw notFound(name);
    const sealed = row.credentials_sealed;
    if (!sealed) return undefined;
    if (this.keyed?.isKeyed(sealed)) {
      return openCredentials(await this.keyed.openIn(q, sealed, { connectorProfile: name }));
    }
    return openCredentials(this.box.open(sealed));
  }

  /** Pages of profiles ordered by name, optionally filtered. */
  async list(
    q: Queryable,
    o: {
      names?: string[] | undefined;
      connectorType?: SourceConnectorType | undefined;
      connectorLabel?: string | undefined;
      after?: string | undefined;
      limit: number;
    },
  ): Promise<ConnectorProfile[]> {
    let sel = q.selectFrom("connector_profiles").selectAll().orderBy("name").limit(o.limit);
    if (o.names?.length) sel = sel.where("name", "in", o.names);
    if (o.connectorType) sel = sel.where("connector_type", "=", o.connectorType);
    if (o.connectorLabel) sel = sel.where("connector_label", "=", o.connectorLabel);
    if (o.after !== undefined) sel = sel.where("name", ">", o.after);
    return (await sel.execute()).map(toProfile);
  }

  /** Deletes a profile; RESOURCE_NOT_FOUND when absent. */
  async delete(q: Queryable, name: string): Promise<void> {
    const res = await q.deleteFrom("connector_profiles").where("name", "=", name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(name);
  }
}

/** The opened `credentials_sealed` plaintext: JSON of the credentials members, checked like a column. */
function openCredentials(text: string): Record<string, Record<string, unknown>> {
  const parsed = connectorMembersSchema.safeParse(JSON.parse(text));
  if (parsed.success) return parsed.data;
  throw new ProfileflowError(
    "STORED_DATA_INVALID",
    "connector_profiles.credentials_sealed holds malformed credentials",
    {
      table: "connector_profiles",
      column: "credentials_sealed",
    },
  );
}

function notFound(name: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `Connector profile ${name} does not exist.`);
}

function toProfile(row: Database["connector_profiles"]): ConnectorProfile {
  return {
    name: row.name,
    arn: row.arn,
    connectorType: row.connector_type,
    connectorLabel: row.connector_label ?? undefined,
    connectionMode: row.connection_mode,
    properties: connectorPropertiesColumn.parse(row.properties),
    kmsArn: row.kms_arn ?? undefined,
    connectionStatus: row.connection_status,
    connectionMessage: row.connection_message ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
