import type { ObjectStore } from "../core/object-store.ts";
import { bodyForm, type Handler, json, type Reply, type SandboxRequest } from "../core/reply.ts";
import type { SandboxWorld } from "../core/world.ts";
import * as errors from "./errors.ts";
import { defaultAccessTtlMs, OAuthTokens } from "./oauth-tokens.ts";
import { linkHeader, readPageRequest } from "./table-paging.ts";
import { readRenderOptions, renderRow, selectRows } from "./table-query.ts";
import type { TableSpec } from "./tables.ts";

/** What the ServiceNow handler needs: the world, its tables, the accepted credentials. */
export interface ServiceNowConfig {
  world: SandboxWorld;
  tables: Map<string, TableSpec>;
  /** The instance URL as clients see it (reference links and Link headers point here). */
  instanceUrl: () => string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  /** Inbound REST rate-limit rule: requests per user per hour before the scale knob (default 10,000). */
  rateLimitPerHour?: number;
}

const tablePath = /^\/api\/now(?:\/(v1|v2))?\/table\/([A-Za-z0-9_]+)(?:\/([0-9a-f]{32}))?\/?$/;

const reply = (e: { status: number; headers?: Record<string, string>; body: unknown }): Reply =>
  json(e.status, e.body, e.headers ?? {});

/** The ServiceNow request handler: `/oauth_token.do` and the Table API, with auth, limits and knobs. */
export function serviceNowHandler(cfg: ServiceNowConfig): {
  handler: Handler;
  tokens: OAuthTokens;
} {
  const { world } = cfg;
  const tokens = new OAuthTokens(world.clock, () => world.knobs.tokenTtlMs || defaultAccessTtlMs);
  let readSalt = 0;

  function authenticate(req: SandboxRequest): { user: string; bearer: boolean } | undefined {
    const h = req.headers.authorization ?? "";
    if (h.startsWith("Basic ")) {
      const [user, ...rest] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
      return user === cfg.username && rest.join(":") === cfg.password ? { user, bearer: false } : undefined;
    }
    if (h.startsWith("Bearer ")) {
      const user = tokens.userOf(h.slice(7).trim());
      return user ? { user, bearer: true } : undefined;
    }
    return undefined;
  }

  function token(req: SandboxRequest): Reply {
    if (req.method !== "POST") return reply(errors.methodNotAllowed(req.method));
    // The servlet reads form fields only; a JSON body carries no grant and fails like bad credentials.
    const form = (req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")
      ? bodyForm(req)
      : new URLSearchParams();
    const clientOk = form.get("client_id") === cfg.clientId && form.get("client_secret") === cfg.clientSecret;
    const grant = form.get("grant_type");
    if (clientOk && grant === "password") {
      if (form.get("username") === cfg.username && form.get("password") === cfg.password) {
        return json(200, tokens.issue(cfg.username));
      }
    }
    if (clientOk && grant === "refresh_token") {
      const issued = tokens.refresh(form.get("refresh_token") ?? "", world.knobs.rotateRefreshTokens);
      if (issued) return json(200, issued);
    }
    return reply(errors.oauthFailure());
  }

  function table(req: SandboxRequest, m: RegExpExecArray): Reply {
    const auth = authenticate(req);
    if (!auth) return reply(errors.notAuthenticated());
    const fault = world.rollFault();
    if (fault === "transient") return reply(errors.serverError());
    if (fault === "authExpiry" && auth.bearer) {
      tokens.expireAll();
      return reply(errors.notAuthenticated());
    }
    const meterKey = `servicenow:${auth.user}`;
    const limit = world.scaled(cfg.rateLimitPerHour ?? 10_000);
    if (fault === "rateLimit") {
      const retryAfterS = 1 + (Math.floor(world.clock.now() / 1000) % 5);
      world.meter.announceRetryAfter(meterKey, retryAfterS * 1000);
      return rateLimitedReply(limit, retryAfterS, world.clock.now());
    }
    const decision = world.meter.take(meterKey, limit, 3_600_000);
    if (!decision.ok) {
      return rateLimitedReply(limit, Math.ceil(decision.retryAfterMs / 1000), world.clock.now());
    }
    const [, version, name, sysId] = m;
    const spec = cfg.tables.get(name!);
    if (!spec) return reply(errors.invalidTable(name!));
    if (req.method === "DELETE" && sysId) return deleteRecord(spec, sysId);
    if (req.method !== "GET") return reply(errors.methodNotAllowed(req.method));
    const render = readRenderOptions(req.url.searchParams, cfg.instanceUrl());
    if (sysId) {
      const row = spec.row(sysId, req.now);
      return row ? json(200, { result: renderRow(spec, row, render) }) : reply(errors.noRecord());
    }
    return list(req, spec, version, render);
  }

  function list(
    req: SandboxRequest,
    spec: TableSpec,
    version: string | undefined,
    render: ReturnType<typeof readRenderOptions>,
  ) {
    const params = req.url.searchParams;
    const { rows, total } = selectRows(spec, params.get("sysparm_query") ?? "", req.now);
    const page = readPageRequest(params);
    const slice = rows.slice(page.offset, page.offset + page.limit);
    // v1 answers an empty result with 404; v2 (the default) with an empty list.
    if (version === "v1" && slice.length === 0) return reply(errors.noRecord());
    const headers: Record<string, string> = {};
    if (params.get("sysparm_no_count") !== "true") headers["x-total-count"] = String(total);
    if (params.get("sysparm_suppress_pagination_header") !== "true") {
      const base = `${cfg.instanceUrl()}${req.url.pathname}`;
      headers.link = linkHeader(base, params, page, total);
    }
    const body = { result: slice.map((r) => renderRow(spec, r, render)) };
    for (const store of spec.stores) world.changeDuringRead(store, ++readSalt);
    return json(200, body, headers);
  }

  function deleteRecord(spec: TableSpec, sysId: string): Reply {
    const store: ObjectStore | undefined = spec.stores.find((s) => s.def.indexOf(sysId) !== undefined);
    const index = store?.def.indexOf(sysId);
    if (!store || index === undefined || !store.delete(index, world.clock.now()))
      return reply(errors.noRecord());
    return { status: 204 };
  }

  const handler: Handler = (req) => {
    if (req.url.pathname === "/oauth_token.do") return token(req);
    const m = tablePath.exec(req.url.pathname);
    if (m) return table(req, m);
    return json(400, {
      error: { message: "Requested URI does not represent any resource", detail: null },
      status: "failure",
    });
  };
  return { handler, tokens };
}

function rateLimitedReply(limit: number, retryAfterS: number, now: number): Reply {
  const resetEpochS = Math.ceil((now + retryAfterS * 1000) / 1000);
  return reply(errors.rateLimited(limit, retryAfterS, resetEpochS, "a5d1b7a2db0a3300f4d5f3b5ca961998"));
}
