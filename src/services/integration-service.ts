import { parseArn } from "../core/arns.ts";
import { invalid, notFound } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { FlowDefinition } from "../flows/flow-definition.ts";
import type { FlowStore } from "../flows/flow-store.ts";
import type { Integration, IntegrationStore } from "../flows/integration-store.ts";
import type { ObjectTypeDefinition } from "../ingest/index.ts";
import type { FlowService } from "./flow-service.ts";
import type { TagService } from "./tag-service.ts";
import type { WorkflowService } from "./workflow-service.ts";

export interface IntegrationServiceDeps {
  db: Queryable;
  integrations: IntegrationStore;
  /** DeleteFlow's one path, and how a flow is created and started, inside our transaction. */
  flows: Pick<FlowService, "createIn" | "startIn" | "deleteIn" | "deleteForDomainIn">;
  /** Flow names and ARNs (lookups only). */
  flowStore: Pick<FlowStore, "get" | "arnOf">;
  tags: TagService;
  workflows: Pick<WorkflowService, "deleteForDomainIn">;
  domains: {
    requireIn(q: Queryable, domainName: string): Promise<unknown>;
    /** requireIn under the domain's lock (DeleteDomain's), for a write that adds to the domain. */
    lockIn(tx: Queryable, domainName: string): Promise<unknown>;
  };
  objectTypes: {
    getIn(
      q: Queryable,
      domainName: string,
      objectTypeName: string,
    ): Promise<ObjectTypeDefinition | undefined>;
  };
}

/** What PutIntegration asks for: an existing flow's Uri, or a FlowDefinition (engine shape) to create and start. */
export interface IntegrationRequest {
  objectTypeName: string;
  uri?: string | undefined;
  flowDefinition?: FlowDefinition | undefined;
  roleArn?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** An integration with its tags, as the API shows it. */
export interface IntegrationView {
  integration: Integration;
  tags: Record<string, string>;
}

/** A page request of integrations ordered by Uri. */
export interface IntegrationPage {
  includeHidden: boolean;
  after?: string | undefined;
  limit: number;
}

/**
 * PutIntegration, GetIntegration, ListIntegrations, ListAccountIntegrations, DeleteIntegration: each one
 * transaction, so a failure part-way leaves no flow running without its integration.
 */
export class IntegrationService {
  constructor(private readonly d: IntegrationServiceDeps) {}

  /** Creates or replaces an integration; with a FlowDefinition its flow is created and activated (or run) too. */
  put(domainName: string, r: IntegrationRequest): Promise<IntegrationView> {
    return this.d.db.transaction().execute(async (tx) => {
      // Under the domain's lock: a DeleteDomain that committed first is seen, one that comes later waits.
      await this.d.domains.lockIn(tx, domainName);
      if (!(await this.d.objectTypes.getIn(tx, domainName, r.objectTypeName))) {
        throw notFound(`Object type ${r.objectTypeName} does not exist in domain ${domainName}.`);
      }
      const { uri, flowName } = r.flowDefinition
        ? await this.#startFlow(tx, r.flowDefinition, r.uri)
        : await this.#existingFlow(tx, domainName, r.uri);
      const saved = await this.d.integrations.put(tx, {
        domainName,
        uri,
        objectTypeName: r.objectTypeName,
        flowName,
        roleArn: r.roleArn,
        workflowId: undefined,
        hidden: false,
      });
      if (r.tags) await this.d.tags.tagIn(tx, saved.uri, r.tags);
      return this.#view(tx, saved);
    });
  }

  /**
   * RESOURCE_NOT_FOUND when the domain does not exist: handlers ask before they validate the request,
   * so a missing domain is reported first (as before these operations moved into this service).
   */
  async requireDomain(domainName: string): Promise<void> {
    await this.d.domains.requireIn(this.d.db, domainName);
  }

  /** The domain's integration; RESOURCE_NOT_FOUND when it does not exist. */
  get(domainName: string, uri: string): Promise<IntegrationView> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.requireIn(tx, domainName);
      return this.#view(tx, await this.d.integrations.require(tx, domainName, uri));
    });
  }

  /** A page of the domain's integrations. */
  list(domainName: string, page: IntegrationPage): Promise<IntegrationView[]> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.requireIn(tx, domainName);
      return this.#views(tx, await this.d.integrations.list(tx, { domainName, ...page }));
    });
  }

  /** A page of every domain's integrations with this Uri (ListAccountIntegrations). */
  listForUri(uri: string, page: IntegrationPage): Promise<IntegrationView[]> {
    return this.d.db
      .transaction()
      .execute(async (tx) => this.#views(tx, await this.d.integrations.list(tx, { uri, ...page })));
  }

  /** Deletes the integration, its tags and (as in AWS) the flow it ran; objects already ingested stay. */
  delete(domainName: string, uri: string): Promise<void> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.requireIn(tx, domainName);
      await this.deleteIn(tx, await this.d.integrations.require(tx, domainName, uri));
    });
  }

  /** DeleteIntegration inside the caller's transaction. */
  async deleteIn(tx: Queryable, integration: Integration): Promise<void> {
    const { flowName } = integration;
    if (flowName && (await this.d.flowStore.get(tx, flowName)))
      await this.d.flows.deleteIn(tx, flowName, { force: true });
    await this.d.tags.clearIn(tx, integration.uri);
    await this.d.integrations.delete(tx, integration.domainName, integration.uri);
  }

  /**
   * DeleteDomain's cascade, inside its transaction: the domain's workflows (their steps' hidden flows
   * and integrations), then every integration with its tags and flow, then any other flow writing into it.
   */
  async deleteForDomainIn(tx: Queryable, domainName: string): Promise<void> {
    await this.d.workflows.deleteForDomainIn(tx, domainName);
    for (const i of await this.d.integrations.ofDomain(tx, domainName)) await this.deleteIn(tx, i);
    await this.d.flows.deleteForDomainIn(tx, domainName);
  }

  /** Creates the FlowDefinition's flow and activates it (Scheduled) or runs it once (on demand). */
  async #startFlow(
    tx: Queryable,
    def: FlowDefinition,
    uri: string | undefined,
  ): Promise<{ uri: string; flowName: string }> {
    if (await this.d.flowStore.get(tx, def.flowName)) {
      throw invalid("FlowDefinition.FlowName", `Flow with name ${def.flowName} already exists.`);
    }
    // createIn checks the definition first; a Uri that is not the flow's rolls the flow back.
    const flow = await this.d.flows.createIn(tx, def, { status: "Active" });
    if (uri && uri !== flow.flowArn) {
      throw invalid("Uri", `Uri must be the flow ARN ${flow.flowArn} when a FlowDefinition is given.`);
    }
    // A Scheduled flow is scheduled, an on-demand one runs now: both inside this transaction.
    await this.d.flows.startIn(tx, flow);
    return { uri: flow.flowArn, flowName: def.flowName };
  }

  /** The flow an integration without a FlowDefinition names by its Uri (an existing integration's, or a flow ARN). */
  async #existingFlow(
    q: Queryable,
    domainName: string,
    uri: string | undefined,
  ): Promise<{ uri: string; flowName: string | undefined }> {
    if (!uri) throw invalid("Uri", "Uri or FlowDefinition is required.");
    const existing = await this.d.integrations.get(q, domainName, uri);
    const named = flowNameOf(uri);
    if (!existing && !(named && (await this.d.flowStore.get(q, named)))) {
      throw notFound(`No flow exists for Uri ${uri}.`);
    }
    return { uri, flowName: existing?.flowName ?? named };
  }

  #view(q: Queryable, integration: Integration): Promise<IntegrationView> {
    return this.d.tags.listIn(q, integration.uri).then((tags) => ({ integration, tags }));
  }

  async #views(q: Queryable, rows: Integration[]): Promise<IntegrationView[]> {
    const out: IntegrationView[] = [];
    for (const i of rows) out.push(await this.#view(q, i));
    return out;
  }
}

/** The flow name of an AppFlow flow ARN (`arn:aws:appflow:{region}:{account}:flow/{name}`), else undefined. */
function flowNameOf(uri: string): string | undefined {
  const a = parseArn(uri);
  const isFlow =
    a?.partition === "aws" &&
    a.service === "appflow" &&
    /^\d+$/.test(a.accountId) &&
    a.resource.startsWith("flow/");
  return isFlow ? a.resource.slice("flow/".length) || undefined : undefined;
}
