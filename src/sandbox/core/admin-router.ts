import type { ObjectStore } from "./object-store.ts";
import { bodyJson, json, type Reply, type SandboxRequest } from "./reply.ts";
import type { SandboxWorld } from "./world.ts";

/** Parses an ISO string or epoch milliseconds. */
function time(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function clockView(world: SandboxWorld) {
  const now = world.clock.now();
  return {
    now,
    iso: new Date(now).toISOString(),
    speed: world.clock.speed,
    historyStart: new Date(world.historyStart).toISOString(),
    historyEnd: new Date(world.historyEnd).toISOString(),
  };
}

/** Finds `name` among this server's vendor first, then as `vendor/name` or any vendor's object. */
function findStore(world: SandboxWorld, vendor: string, name: string): ObjectStore | undefined {
  if (name.includes("/")) {
    const [v, n] = name.split("/", 2) as [string, string];
    return world.store(v, n);
  }
  return world.store(vendor, name) ?? world.stores().find((s) => s.def.name === name);
}

const notFound = (what: string) => json(404, { error: "not_found", message: what });
const bad = (message: string) => json(400, { error: "bad_request", message });

/**
 * The admin API under `/__sandbox/`, the same on every simulator: clock, knobs, ground truth, record writes,
 * limits. See src/sandbox/core/README.md for the routes.
 */
export function handleAdmin(world: SandboxWorld, vendor: string, req: SandboxRequest): Reply {
  const parts = req.url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
  const [head, a, b] = parts;
  const body = (bodyJson(req) ?? {}) as Record<string, unknown>;
  const m = req.method;
  try {
    if (head === "clock") {
      if (m === "GET") return json(200, clockView(world));
      if (body.speed !== undefined) world.clock.setSpeed(Number(body.speed));
      if (body.set !== undefined) {
        const t = time(body.set);
        if (t === undefined) return bad("set must be ISO-8601 or epoch ms");
        world.clock.set(t);
      }
      if (body.advanceMs !== undefined) world.clock.advance(Number(body.advanceMs));
      world.sync();
      return json(200, clockView(world));
    }
    if (head === "knobs") {
      if (m === "GET") return json(200, world.knobs);
      return json(200, world.setKnobs(body));
    }
    if (head === "limits") {
      if (a === "reset" && m === "POST") world.meter.reset();
      return json(200, world.meter.counters());
    }
    if (head === "objects") {
      return json(200, {
        objects: world.stores().map((s) => ({
          vendor: s.def.vendor,
          name: s.def.name,
          size: s.size,
          generated: s.def.count,
          overlay: s.overlaySize,
        })),
      });
    }
    if (head === "population") {
      const p = world.population;
      return json(200, {
        seed: p.seed,
        people: p.people,
        companies: p.companies,
        shares: p.shares,
        counts: {
          salesforce: p.count("salesforce"),
          marketo: p.count("marketo"),
          zendesk: p.count("zendesk"),
          servicenow: p.count("servicenow"),
        },
      });
    }
    if (head === "truth" && a) {
      const store = findStore(world, vendor, a);
      if (!store) return notFound(`object ${a}`);
      const offset = Math.max(0, Number(req.url.searchParams.get("offset") ?? 0));
      const limit = Math.min(10_000, Math.max(1, Number(req.url.searchParams.get("limit") ?? 1000)));
      const now = world.clock.now();
      const records = [];
      let i = offset;
      for (; i < store.size && records.length < limit; i++) {
        const t = store.truth(i, now);
        if (t) records.push(t);
      }
      return json(200, {
        object: store.key,
        size: store.size,
        offset,
        nextOffset: i < store.size ? i : null,
        records,
      });
    }
    if (head === "burst" && m === "POST") {
      const store = findStore(world, vendor, String(body.object ?? ""));
      if (!store) return notFound(`object ${String(body.object)}`);
      const at = time(body.at) ?? world.clock.now();
      const updated = world.burst(store, Number(body.size ?? body.count ?? 0), at, Number(body.salt ?? 0));
      return json(200, { updated, at: new Date(at).toISOString() });
    }
    if (head === "records" && a) {
      const store = findStore(world, vendor, a);
      if (!store) return notFound(`object ${a}`);
      const now = world.clock.now();
      const at = time(body.at) ?? now;
      const visibleAt = time(body.visibleAt) ?? Math.max(at, now);
      const fields = (body.fields ?? {}) as Record<string, unknown>;
      if (!b) {
        if (m !== "POST") return bad("POST to create");
        const index = store.create(fields, at, visibleAt);
        return json(201, { id: store.def.idOf(index), index });
      }
      const index = store.def.indexOf(b);
      if (index === undefined || index >= store.size) return notFound(`record ${b}`);
      if (m === "GET") {
        const v = store.current(index, now);
        return v
          ? json(200, {
              id: b,
              stamp: new Date(v.stamp).toISOString(),
              deleted: v.deleted,
              fields: store.fields(v),
              truth: store.truth(index, now),
            })
          : notFound(`record ${b}`);
      }
      const ok =
        m === "DELETE" ? store.delete(index, at, visibleAt) : store.update(index, fields, at, visibleAt);
      return ok ? json(200, { id: b, index }) : notFound(`record ${b} (deleted or not visible)`);
    }
    return notFound(`admin route ${req.url.pathname}`);
  } catch (err) {
    if (err instanceof RangeError) return bad(err.message);
    throw err;
  }
}
