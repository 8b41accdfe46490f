/**
 * The Marketo request pipeline, in the order the real service applies it: identity calls bypass
 * everything; then URI length (414), the access token (600/601/602), injected faults, the daily quota
 * (607), the 100-per-20 s window (606) and calls in flight (615). Auth failures and injected timeouts
 * are free (Marketo's starred codes); every other call counts against the window and the day.
 * Response-level errors are always HTTP 200 with `success:false`.
 */
import type { Handler, Reply, SandboxRequest } from "../core/index.ts";
import { json } from "../core/index.ts";
import { bulkRoute } from "./bulk-routes.ts";
import type { MarketoContext } from "./context.ts";
import { failure, failureFrom, type MarketoEnvelope, type MarketoErrorCode } from "./envelope.ts";
import { handleIdentity } from "./identity.ts";
import { marketoLimits, msUntilChicagoMidnight } from "./limits.ts";
import { bearerToken, effectiveMethod, maxUriBytes, requestParams } from "./request-params.ts";
import { restRoute } from "./rest-routes.ts";

const RATE_KEY = "marketo:calls";
const DAILY_KEY = "marketo:daily";
const TRANSIENT: readonly MarketoErrorCode[] = ["604", "608", "611", "713"];
const DEFAULT_TOKEN_TTL_MS = 3_600_000;

/** The vendor handler for one Marketo instance. */
export function createMarketoHandler(ctx: MarketoContext): Handler {
  let transientTurn = 0;
  return async (req: SandboxRequest): Promise<Reply> => {
    const path = req.url.pathname;
    const now = req.now;
    const knobs = ctx.world.knobs;
    ctx.issuer.setTtl(knobs.tokenTtlMs > 0 ? knobs.tokenTtlMs : DEFAULT_TOKEN_TTL_MS);
    if (path === "/identity/oauth/token") return handleIdentity(req, ctx.issuer);
    if (!path.startsWith("/rest/") && !path.startsWith("/bulk/")) {
      return { status: 404, headers: { "content-type": "text/plain" }, body: "Not Found" };
    }
    if (Buffer.byteLength(req.url.pathname + req.url.search) > maxUriBytes) {
      return {
        status: 414,
        headers: { "content-type": "text/html" },
        body: "<html><body><h1>414 Request-URI Too Large</h1></body></html>",
      };
    }
    const auth = ctx.issuer.check(bearerToken(req), now);
    if (auth !== "ok")
      return envelope(failure(now, auth === "empty" ? "600" : auth === "expired" ? "602" : "601"));

    switch (ctx.world.rollFault()) {
      case "transient":
        return envelope(failure(now, TRANSIENT[transientTurn++ % TRANSIENT.length]!));
      case "authExpiry":
        ctx.issuer.expireNow(now);
        return envelope(failure(now, "602"));
      case "rateLimit":
        ctx.world.meter.announceRetryAfter(RATE_KEY, marketoLimits.windowMs);
        return envelope(failure(now, "606"));
      default:
    }

    ctx.world.meter.observe(DAILY_KEY);
    if (ctx.limits.quotaSpent(now, ctx.world.scaled(marketoLimits.dailyQuota))) {
      ctx.world.meter.announceRetryAfter(DAILY_KEY, msUntilChicagoMidnight(now));
      return envelope(failure(now, "607"));
    }
    const perWindow = ctx.world.scaled(marketoLimits.callsPerWindow);
    if (!ctx.world.meter.take(RATE_KEY, perWindow, marketoLimits.windowMs).ok) {
      return envelope(failure(now, "606", `Max rate limit '${perWindow}' exceeded with in '20' secs`));
    }
    if (!ctx.limits.enter(ctx.world.scaled(marketoLimits.maxConcurrent)))
      return envelope(failure(now, "615"));
    try {
      ctx.limits.record(now);
      if (ctx.processingMs > 0) await new Promise((r) => setTimeout(r, ctx.processingMs));
      return route(ctx, req);
    } finally {
      ctx.limits.leave();
    }
  };
}

function route(ctx: MarketoContext, req: SandboxRequest): Reply {
  const now = req.now;
  try {
    const method = effectiveMethod(req);
    if (req.url.pathname.startsWith("/bulk/")) {
      ctx.jobs.configure({ dailyQuotaBytes: ctx.world.scaled(ctx.exportQuotaBytes) });
      const out = bulkRoute(ctx, req, method);
      if (out === undefined) return envelope(failure(now, "610"));
      return isReply(out) ? out : envelope(out);
    }
    if (method !== "GET") return envelope(failure(now, "605"));
    const out = restRoute(ctx, req.url.pathname, requestParams(req), now);
    return envelope(out ?? failure(now, "610"));
  } catch (e) {
    return envelope(failureFrom(now, e));
  }
}

function isReply(x: MarketoEnvelope | Reply): x is Reply {
  return typeof (x as Reply).status === "number" && !("requestId" in x);
}

/** Every Marketo JSON answer, success or failure, is HTTP 200. */
function envelope(body: MarketoEnvelope): Reply {
  return json(200, body);
}
