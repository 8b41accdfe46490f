import type { ObjectStore } from "../core/object-store.ts";
import { bodyForm, bodyJson, type Handler, json, type Reply, type SandboxRequest } from "../core/reply.ts";
import type { SandboxWorld } from "../core/world.ts";
import * as errors from "./errors.ts";
import { decodeExportCursor, encodeExportCursor, type StreamPosition } from "./export-cursor.ts";
import { cursorPage, holdBackSeconds, maxPerPage, timePage } from "./incremental-export.ts";
import { decodeListCursor, listPage, readPageSize } from "./list-pagination.ts";
import { renderTicket, renderUser, streamItems, zendeskTime } from "./zendesk-records.ts";
import type { ZendeskTokens } from "./zendesk-tokens.ts";

/** Zendesk's incremental export limit (requests per minute; 30 with the High Volume add-on). */
export const incrementalPerMinute = 10;
/** The Enterprise plan's account-wide limit (requests per minute). */
export const accountPerMinute = 700;

/** What the Zendesk handler needs. */
export interface ZendeskConfig {
  world: SandboxWorld;
  users: ObjectStore;
  tickets: ObjectStore;
  instanceUrl: () => string;
  email: string;
  apiToken: string;
  clientId: string;
  clientSecret: string;
  tokens: ZendeskTokens;
  adminId: number;
}

const incrementalPath = /^\/api\/v2\/incremental\/(users|tickets)(\/cursor)?\.json$/;
const fromError = (e: errors.ZendeskErrorResponse): Reply =>
  typeof e.body === "string"
    ? { status: e.status, headers: e.headers, body: e.body }
    : json(e.status, e.body, e.headers);

/** The Zendesk request handler: OAuth, users/me, users list, cursor and time-based incremental exports. */
export function zendeskHandler(cfg: ZendeskConfig): Handler {
  const { world } = cfg;
  const base = () => cfg.instanceUrl();

  function authenticate(req: SandboxRequest): errors.ZendeskErrorResponse | { bearer: boolean } {
    const h = req.headers.authorization ?? "";
    if (h.startsWith("Basic ")) {
      const [user, ...rest] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
      const ok = user === `${cfg.email}/token` && rest.join(":") === cfg.apiToken;
      return ok ? { bearer: false } : errors.couldNotAuthenticate();
    }
    if (h.startsWith("Bearer ")) {
      const check = cfg.tokens.check(h.slice(7).trim());
      if (check === "ok") return { bearer: true };
      return check === "expired" ? errors.invalidToken() : errors.couldNotAuthenticate();
    }
    return errors.couldNotAuthenticate();
  }

  /** Auth, injected faults and the account limit; returns the reply to send instead, or rate headers. */
  function gate(req: SandboxRequest, incremental: boolean): Reply | Record<string, string> {
    const auth = authenticate(req);
    if ("status" in auth) return fromError(auth);
    const fault = world.rollFault();
    if (fault === "transient") return fromError(errors.unavailable());
    if (fault === "authExpiry" && auth.bearer) {
      cfg.tokens.expireAll();
      return fromError(errors.invalidToken());
    }
    const key = incremental ? "zendesk:incremental" : "zendesk:account";
    if (fault === "rateLimit") {
      world.meter.announceRetryAfter(key, 1000);
      return fromError(errors.tooManyRequests(1));
    }
    const account = world.meter.take("zendesk:account", world.scaled(accountPerMinute), 60_000);
    if (!account.ok) return fromError(errors.tooManyRequests(Math.ceil(account.retryAfterMs / 1000)));
    if (incremental) {
      const d = world.meter.take(key, world.scaled(incrementalPerMinute), 60_000);
      if (!d.ok) return fromError(errors.tooManyRequests(Math.ceil(d.retryAfterMs / 1000)));
    }
    return {
      "x-rate-limit": String(account.limit),
      "x-rate-limit-remaining": String(account.limit - account.used),
    };
  }

  function incremental(
    req: SandboxRequest,
    resource: "users" | "tickets",
    cursorMode: boolean,
    headers: Record<string, string>,
  ) {
    const p = req.url.searchParams;
    const nowS = Math.floor(req.now / 1000);
    const perPageRaw = Number(p.get("per_page") ?? maxPerPage);
    const perPage =
      Number.isInteger(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, maxPerPage) : maxPerPage;
    let from: StreamPosition;
    const cursor = p.get("cursor");
    if (cursorMode && cursor) {
      const decoded = decodeExportCursor(cursor);
      if (!decoded) return fromError(errors.invalidValue("Invalid cursor"));
      from = decoded;
    } else {
      const raw = p.get("start_time");
      const start = Number(raw);
      if (raw === null || raw === "" || !Number.isInteger(start) || start < 0) {
        return fromError(
          errors.invalidValue("start_time is required and must be a Unix epoch time in seconds"),
        );
      }
      if (start > nowS - holdBackSeconds) {
        return fromError(
          errors.invalidValue("Too recent start_time. Use a start_time older than one minute."),
        );
      }
      from = { ts: start, id: -1 };
    }
    const store = resource === "users" ? cfg.users : cfg.tickets;
    let items = streamItems(store, from, nowS - holdBackSeconds, req.now, perPage);
    if (resource === "tickets" && p.get("exclude_deleted") === "true")
      items = items.filter((x) => !x.v.deleted);
    const render = resource === "users" ? renderUser : renderTicket;
    const extra = p.has("per_page") ? `&per_page=${perPage}` : "";
    const path = `${base()}/api/v2/incremental/${resource}`;
    if (cursorMode) {
      const page = cursorPage(items, from, perPage, nowS);
      const after = encodeExportCursor(page.after);
      world.changeDuringRead(store, page.after.ts);
      return json(
        200,
        {
          [resource]: page.items.map((x) => render(store, x.v, base())),
          after_url: `${path}/cursor.json?cursor=${encodeURIComponent(after)}${extra}`,
          after_cursor: after,
          before_url: null,
          before_cursor: null,
          end_of_stream: page.endOfStream,
        },
        headers,
      );
    }
    const page = timePage(items, from.ts, perPage, nowS);
    world.changeDuringRead(store, page.endTime);
    return json(
      200,
      {
        [resource]: page.items.map((x) => render(store, x.v, base())),
        count: page.items.length,
        end_time: page.endTime,
        next_page: `${path}.json?start_time=${page.endTime}${extra}`,
        end_of_stream: page.endOfStream,
      },
      headers,
    );
  }

  function usersList(req: SandboxRequest, headers: Record<string, string>): Reply {
    const p = req.url.searchParams;
    const live = [...cfg.users.scan({ now: req.now })].sort((a, b) => a.index - b.index);
    const rows = live.map((v) => ({ id: Number(cfg.users.def.idOf(v.index)), v }));
    const url = `${base()}/api/v2/users.json`;
    const cursorish = [...p.keys()].some((k) => k.startsWith("page["));
    if (cursorish) {
      const after = p.get("page[after]");
      const before = p.get("page[before]");
      const cursor: { after?: number; before?: number } = {};
      if (after) cursor.after = decodeListCursor(after) ?? -1;
      if (before) cursor.before = decodeListCursor(before) ?? -1;
      const page = listPage(rows, readPageSize(p), cursor, url);
      return json(
        200,
        {
          users: page.items.map((x) => renderUser(cfg.users, x.v, base())),
          meta: page.meta,
          links: page.links,
        },
        headers,
      );
    }
    // Offset pagination (deprecated by Zendesk but still served): `page` and `per_page` ≤ 100.
    const perPage = Math.min(100, Math.max(1, Number(p.get("per_page") ?? 100) || 100));
    const pageNo = Math.max(1, Number(p.get("page") ?? 1) || 1);
    const slice = rows.slice((pageNo - 1) * perPage, pageNo * perPage);
    const link = (n: number) => `${url}?page=${n}&per_page=${perPage}`;
    return json(
      200,
      {
        users: slice.map((x) => renderUser(cfg.users, x.v, base())),
        next_page: pageNo * perPage < rows.length ? link(pageNo + 1) : null,
        previous_page: pageNo > 1 ? link(pageNo - 1) : null,
        count: rows.length,
      },
      headers,
    );
  }

  function me(headers: Record<string, string>): Reply {
    const created = zendeskTime(world.historyStart);
    return json(
      200,
      {
        user: {
          id: cfg.adminId,
          url: `${base()}/api/v2/users/${cfg.adminId}.json`,
          name: "Sandbox Admin",
          email: cfg.email,
          created_at: created,
          updated_at: created,
          role: "admin",
          role_type: null,
          active: true,
          verified: true,
          suspended: false,
          time_zone: "UTC",
          locale: "en-US",
        },
      },
      headers,
    );
  }

  function oauthToken(req: SandboxRequest): Reply {
    const body = (bodyJson(req) ?? Object.fromEntries(bodyForm(req))) as Record<string, unknown>;
    const s = (k: string) => (body[k] === undefined || body[k] === null ? undefined : String(body[k]));
    const n = (k: string) => (body[k] === undefined ? undefined : Number(body[k]));
    if (s("client_id") !== cfg.clientId || s("client_secret") !== cfg.clientSecret)
      return fromError(errors.invalidGrant());
    if (s("grant_type") === "client_credentials") {
      return json(
        200,
        cfg.tokens.issue(s("scope") ?? "read write", n("expires_in"), n("refresh_token_expires_in")),
      );
    }
    if (s("grant_type") === "refresh_token") {
      const pair = cfg.tokens.refresh(
        s("refresh_token") ?? "",
        n("expires_in"),
        n("refresh_token_expires_in"),
      );
      if (pair) return json(200, pair);
    }
    return fromError(errors.invalidGrant());
  }

  return (req) => {
    const path = req.url.pathname;
    if (path === "/oauth/tokens" && req.method === "POST") return oauthToken(req);
    const inc = incrementalPath.exec(path);
    const known = inc || path === "/api/v2/users.json" || path === "/api/v2/users/me.json";
    if (!known || req.method !== "GET") return fromError(errors.notFound());
    const gated = gate(req, inc !== null);
    if ("status" in gated && typeof gated.status === "number") return gated as Reply;
    const headers = gated as Record<string, string>;
    if (inc) return incremental(req, inc[1] as "users" | "tickets", inc[2] !== undefined, headers);
    if (path === "/api/v2/users/me.json") return me(headers);
    return usersList(req, headers);
  };
}
