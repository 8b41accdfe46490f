import { describe, expect, it } from "vitest";
import { readStates as marketo } from "../../src/connectors/marketo/read-state.ts";
import { readStates as salesforce } from "../../src/connectors/salesforce/read-state.ts";
import { type FlatCheckpoint, isConnectorError, SeenSet } from "../../src/connectors/sdk/index.ts";
import { readStates as servicenow } from "../../src/connectors/servicenow/read-state.ts";
import { readStates as zendesk } from "../../src/connectors/zendesk/read-state.ts";

const seen = (() => {
  const s = SeenSet.empty();
  s.add("a", 1);
  s.add("d:b", 2);
  return s.toString();
})();
const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 2, 1) };

// Checkpoints as the hand-written codecs before the zod one wrote them (and executions have stored since).
const stored = {
  servicenow: {
    v: 1,
    connector: "servicenow",
    object: "incident",
    ...window,
    phase: "deletions",
    at: "2025-01-05 10:00:00",
    after: "abc",
    skip: 0,
    seen,
    prev: "",
  },
  zendesk: {
    v: 1,
    connector: "zendesk",
    object: "tickets",
    ...window,
    done: false,
    cursor: "MTIz",
    seen,
    prev: "!",
  },
  salesforce: {
    v: 1,
    connector: "salesforce",
    object: "Contact",
    ...window,
    lo: window.from,
    hi: window.to,
    phase: "records",
    mode: "bulk",
    at: window.from + 5000,
    after: "003x",
    next: "",
    job: "750x",
    jobReady: true,
    locator: "MTAwMDA",
    ordered: true,
    delOffset: 0,
    seen,
    prev: "",
  },
  marketo: {
    v: 1,
    connector: "marketo",
    object: "leads",
    ...window,
    phase: "bulk",
    sub: 1,
    exportId: "ce45a7a1",
    job: "completed",
    fileSize: 123424,
    offset: 10000,
    token: "",
    since: window.from,
    strict: false,
    seen,
    prev: "",
    run: seen,
  },
} satisfies Record<string, FlatCheckpoint>;

const cases = [
  ["servicenow", servicenow, stored.servicenow],
  ["zendesk", zendesk, stored.zendesk],
  ["salesforce", salesforce, stored.salesforce],
  ["marketo", marketo, stored.marketo],
] as const;

describe("the checkpoint codec", () => {
  for (const [name, states, c] of cases) {
    it(`${name}: decodes a stored checkpoint and writes it back unchanged`, () => {
      const decode = states.decode as (c: FlatCheckpoint, o: string, w?: typeof window) => object;
      const encode = states.encode as (s: object) => FlatCheckpoint;
      const s = decode(c, c.object, window) as { seen: SeenSet; from: number };
      expect(s.seen.has("a", 1)).toBe(true);
      expect(s.seen.has("d:b", 2)).toBe(true);
      expect(s.from).toBe(window.from);
      expect(encode(s)).toEqual(c);
      expect(encode(decode(c, c.object))).toEqual(c); // incremental reads pass no window
    });

    it(`${name}: refuses another connector's, another object's, another window's or a mistyped checkpoint`, () => {
      const decode = states.decode as (c: FlatCheckpoint, o: string, w?: typeof window) => object;
      const refused = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return isConnectorError(e, "config") ? e.message : `not a config error: ${String(e)}`;
        }
        return "accepted";
      };
      expect(refused(() => decode({ ...c, connector: "other" }, c.object))).toMatch(/^checkpoint is not a/);
      expect(refused(() => decode({ ...c, v: 2 }, c.object))).toMatch(/^checkpoint is not a/);
      expect(refused(() => decode(c, "Other"))).toMatch(/^checkpoint is not a/);
      expect(refused(() => decode(c, c.object, { ...window, from: window.from + 1 }))).toBe(
        "checkpoint belongs to a different window",
      );
      expect(refused(() => decode({ ...c, to: "soon" }, c.object))).toMatch(
        /^checkpoint field "to" is invalid/,
      );
      const { seen: _, ...withoutSeen } = c;
      expect(refused(() => decode(withoutSeen, c.object))).toMatch(/^checkpoint field "seen" is invalid/);
    });
  }

  it("refuses an unknown phase", () => {
    const c = { ...stored.servicenow, phase: "later" };
    expect(() => servicenow.decode(c, "incident")).toThrow(/checkpoint field "phase" is invalid/);
  });

  it("starts fresh states that encode to the same shape as stored ones", () => {
    for (const [, states, c] of cases) {
      const fresh = (states.fresh as (o: string, f: number, t: number, k: "window", p: SeenSet) => object)(
        c.object,
        window.from,
        window.to,
        "window",
        SeenSet.empty(),
      );
      const flat = (states.encode as (s: object) => FlatCheckpoint)(fresh);
      expect(Object.keys(flat).sort()).toEqual(Object.keys(c).sort());
    }
  });
});
