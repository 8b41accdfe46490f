import {
  bodyForm,
  json,
  type ObjectStore,
  type Reply,
  type SandboxRequest,
  SandboxWorld,
  startServer,
  type WorldOptions,
} from "../core/index.ts";
import { SalesforceAuth, type SalesforceCredentials } from "./auth.ts";
import { Bulk2Jobs } from "./bulk2.ts";
import { SfError, sfErrors } from "./errors.ts";
import { salesforceObjectDefs } from "./objects.ts";
import { RestApi } from "./rest-api.ts";

/** Options: a shared world (from startSandboxes) or the world options to make one. */
export interface SalesforceSandboxOptions extends WorldOptions {
  world?: SandboxWorld;
  port?: number;
  host?: string;
  /** Rolling 24 h API allocation before the rate-limit scale knob (default 100,000, an Enterprise org). */
  dailyApiRequests?: number;
}

/** A running Salesforce simulator. */
export interface SalesforceSandbox {
  url: string;
  port: number;
  credentials: SalesforceCredentials;
  world: SandboxWorld;
  stores: Record<"Account" | "Contact" | "Asset" | "Case", ObjectStore>;
  close(): Promise<void>;
}

const API_VERSIONS = ["52.0", "55.0", "58.0", "59.0", "60.0", "61.0", "62.0"];
export const LIMIT_KEY = "salesforce:daily";

/** Registers the Salesforce objects in `world` (idempotent) and returns their stores. */
export function registerSalesforce(world: SandboxWorld): SalesforceSandbox["stores"] {
  const get = (n: string) => world.store("salesforce", n);
  if (!get("Contact")) for (const def of salesforceObjectDefs(world)) world.register(def);
  return { Account: get("Account")!, Contact: get("Contact")!, Asset: get("Asset")!, Case: get("Case")! };
}

/** Starts the Salesforce simulator on its own port; vendor paths at the root, admin under /__sandbox/. */
export async function startSalesforceSandbox(
  options: SalesforceSandboxOptions = {},
): Promise<SalesforceSandbox> {
  const world = options.world ?? new SandboxWorld(options);
  const stores = registerSalesforce(world);
  const auth = new SalesforceAuth(world);
  const rest = new RestApi(world);
  const bulk = new Bulk2Jobs(world);
  const daily = options.dailyApiRequests ?? 100_000;
  let base = "";

  const api = (req: SandboxRequest, v: string, rest_: string[]): Reply => {
    const token = auth.check(req.headers.authorization);
    const fault = world.rollFault();
    if (fault === "transient") throw sfErrors.unavailable();
    if (fault === "rateLimit") throw sfErrors.concurrentLimit();
    if (fault === "authExpiry") {
      auth.revoke(token);
      throw sfErrors.invalidSession();
    }
    const take = world.meter.take(LIMIT_KEY, world.scaled(daily), 86_400_000);
    if (!take.ok) throw sfErrors.requestLimit();
    const [head, a, b, c] = rest_;
    const get = req.method === "GET";
    if (head === undefined && get) return json(200, resources(v));
    if ((head === "query" || head === "queryAll") && get) {
      return a ? rest.more(req, a, head === "queryAll", v) : rest.query(req, head === "queryAll", v);
    }
    if (head === "sobjects" && get) {
      if (!a) return rest.sobjects(v);
      if (b === "describe") return rest.describe(a, v);
      if (b === "deleted") return rest.deleted(req, a);
      if (b && !c) return rest.retrieve(a, b, v);
    }
    if (head === "limits" && get) {
      return json(200, {
        DailyApiRequests: { Max: take.limit, Remaining: Math.max(0, take.limit - take.used) },
        DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 },
        DailyBulkV2QueryFileStorageMB: { Max: 976_562, Remaining: 976_562 },
        ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      });
    }
    if (head === "jobs" && a === "query") return bulk.handle(req, rest_.slice(2), v);
    throw sfErrors.notFound();
  };

  const handler = (req: SandboxRequest): Reply => {
    const path = req.url.pathname.replace(/\/+$/, "");
    const usage = () => {
      const max = world.scaled(daily);
      return { "sforce-limit-info": `api-usage=${Math.min(max, world.meter.used(LIMIT_KEY))}/${max}` };
    };
    try {
      if (path === "/services/oauth2/token") {
        if (req.method !== "POST")
          return json(405, { error: "invalid_request", error_description: "must use HTTP POST" });
        return auth.token(bodyForm(req), base);
      }
      if (path === "/services/data" && req.method === "GET") {
        return json(
          200,
          API_VERSIONS.map((version) => ({
            label: `v${version}`,
            url: `/services/data/v${version}`,
            version,
          })),
        );
      }
      const m = /^\/services\/data\/v(\d{2,3}\.\d)(?:\/(.*))?$/.exec(path);
      if (!m) throw sfErrors.notFound();
      const parts = (m[2] ?? "").split("/").filter(Boolean).map(decodeURIComponent);
      const reply = api(req, m[1]!, parts);
      return { ...reply, headers: { ...reply.headers, ...usage() } };
    } catch (e) {
      if (e instanceof SfError) return e.reply(usage());
      throw e;
    }
  };

  const server = await startServer({
    world,
    vendor: "salesforce",
    handler,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
  });
  base = server.url;
  return {
    url: server.url,
    port: server.port,
    world,
    stores,
    credentials: {
      instanceUrl: server.url,
      loginUrl: server.url,
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      refreshToken: auth.initialRefreshToken,
      accessToken: auth.initialAccessToken,
      username: auth.username,
    },
    close: () => server.close(),
  };
}

function resources(v: string) {
  const r = (p: string) => `/services/data/v${v}/${p}`;
  return {
    sobjects: r("sobjects"),
    query: r("query"),
    queryAll: r("queryAll"),
    limits: r("limits"),
    jobs: r("jobs"),
  };
}
