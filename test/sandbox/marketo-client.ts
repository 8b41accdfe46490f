/** A raw-HTTP Marketo test client: plain fetch, no code shared with the connector. */
import type { MarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";

export interface Envelope {
  requestId: string;
  success: boolean;
  result?: Record<string, unknown>[];
  errors?: { code: string; message: string }[];
  nextPageToken?: string;
  moreResult?: boolean;
}

export interface TruthRow {
  id: string;
  deleted: boolean;
  stamp: string;
  personId: string;
  profileKey: { key: string; value: string };
  keys: { key: string; value: string }[];
}

/** Wraps one sandbox with helpers for tokens, REST calls and the admin API. */
export function marketoClient(sb: MarketoSandbox) {
  const url = sb.url;
  const c = {
    async token(): Promise<string> {
      const q = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sb.credentials.clientId,
        client_secret: sb.credentials.clientSecret,
      });
      const res = await fetch(`${url}/identity/oauth/token?${q}`);
      const body = (await res.json()) as { access_token: string };
      return body.access_token;
    },
    async get(path: string, params: Record<string, string | number> = {}, token?: string): Promise<Envelope> {
      const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
      const res = await fetch(
        `${url}${path}?${q}`,
        token ? { headers: { authorization: `Bearer ${token}` } } : {},
      );
      if (res.status !== 200) throw new Error(`HTTP ${res.status} on ${path}`);
      return (await res.json()) as Envelope;
    },
    async post(path: string, body: unknown, token: string): Promise<Envelope> {
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status} on ${path}`);
      return (await res.json()) as Envelope;
    },
    async admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
      const res = await fetch(`${url}/__sandbox/${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as Record<string, unknown>;
    },
    advance: (ms: number) => c.admin("POST", "clock", { advanceMs: ms }),
    knobs: (patch: unknown) => c.admin("POST", "knobs", patch),
    async truth(): Promise<TruthRow[]> {
      const rows: TruthRow[] = [];
      let offset: number | null = 0;
      while (offset !== null) {
        const page = (await c.admin("GET", `truth/leads?offset=${offset}&limit=10000`)) as {
          records: TruthRow[];
          nextOffset: number | null;
        };
        rows.push(...page.records);
        offset = page.nextOffset;
      }
      return rows;
    },
    /** Every page of an activities feed from `token` until moreResult is false. */
    async drain(path: string, token: string, start: string, params: Record<string, string | number> = {}) {
      const items: Record<string, unknown>[] = [];
      let next = start;
      let pages = 0;
      let shortWithMore = 0;
      for (;;) {
        const page = await c.get(path, { ...params, nextPageToken: next }, token);
        if (!page.success) throw new Error(JSON.stringify(page.errors));
        pages++;
        items.push(...(page.result ?? []));
        next = page.nextPageToken!;
        if (!page.moreResult) return { items, next, pages, shortWithMore };
        if ((page.result ?? []).length < Number(params["batchSize"] ?? 300)) shortWithMore++;
      }
    },
  };
  return c;
}

/** The code of a failed envelope. */
export const codeOf = (e: Envelope): string | undefined => e.errors?.[0]?.code;
