import { describe, expect, it } from "vitest";
import {
  type FieldKind,
  matchesQuery,
  orderComparator,
  parseEncodedQuery,
} from "../../src/sandbox/servicenow/encoded-query.ts";
import { parseGlide, toGlide } from "../../src/sandbox/servicenow/glide-time.ts";
import { linkHeader, parseLinkHeader, readPageRequest } from "../../src/sandbox/servicenow/table-paging.ts";

const kinds: Record<string, FieldKind> = {
  sys_id: "string",
  sys_updated_on: "glide_date_time",
  sys_mod_count: "integer",
  email: "string",
  active: "boolean",
};
const kindOf = (f: string) => kinds[f];
const rows = [
  {
    sys_id: "a1",
    sys_updated_on: "2024-01-01 00:00:00",
    sys_mod_count: "9",
    email: "x@y.com",
    active: "true",
  },
  { sys_id: "b2", sys_updated_on: "2024-01-01 00:00:00", sys_mod_count: "10", email: "", active: "false" },
  {
    sys_id: "c3",
    sys_updated_on: "2024-02-01 12:30:00",
    sys_mod_count: "2",
    email: "z@y.com",
    active: "true",
  },
];
const select = (q: string) =>
  rows.filter((r) => matchesQuery(parseEncodedQuery(q), r, kindOf)).map((r) => r.sys_id);

describe("glide time", () => {
  it("formats UTC with second resolution and parses back", () => {
    const ms = Date.UTC(2016, 0, 19, 4, 52, 4, 999);
    expect(toGlide(ms)).toBe("2016-01-19 04:52:04");
    expect(parseGlide("2016-01-19 04:52:04")).toBe(ms - 999);
    expect(parseGlide("2016-01-19T04:52:04Z")).toBeUndefined();
  });
});

describe("encoded query", () => {
  it("applies range operators and AND", () => {
    expect(select("sys_updated_on>=2024-01-01 00:00:00^sys_updated_on<2024-02-01 12:30:00")).toEqual([
      "a1",
      "b2",
    ]);
    expect(select("sys_updated_on>2024-01-01 00:00:00")).toEqual(["c3"]);
    expect(select("sys_updated_on<=2024-01-01 00:00:00^sys_id>a1")).toEqual(["b2"]);
    expect(select("sys_id=c3")).toEqual(["c3"]);
  });

  it("compares integers numerically", () => {
    expect(select("sys_mod_count>9")).toEqual(["b2"]);
  });

  it("supports the keyset form with ^NQ and ^OR", () => {
    const keyset = "sys_updated_on>2024-01-01 00:00:00^NQsys_updated_on=2024-01-01 00:00:00^sys_id>a1";
    expect(select(keyset)).toEqual(["b2", "c3"]);
    expect(select("sys_id=a1^ORsys_id=c3^active=true")).toEqual(["a1", "c3"]);
  });

  it("ignores terms on unknown fields, widening the result", () => {
    expect(select("sys_updated_onn>2030-01-01 00:00:00")).toEqual(["a1", "b2", "c3"]);
  });

  it("handles empty checks, IN and STARTSWITH", () => {
    expect(select("emailISEMPTY")).toEqual(["b2"]);
    expect(select("emailISNOTEMPTY^emailSTARTSWITHZ")).toEqual(["c3"]);
    expect(select("sys_idINa1,c3")).toEqual(["a1", "c3"]);
  });

  it("orders by several fields, ascending and descending", () => {
    const q = parseEncodedQuery("ORDERBYsys_updated_on^ORDERBYDESCsys_id");
    expect(q.orderBy).toEqual([
      { field: "sys_updated_on", desc: false },
      { field: "sys_id", desc: true },
    ]);
    const sorted = [...rows].sort(orderComparator(q.orderBy, kindOf)).map((r) => r.sys_id);
    expect(sorted).toEqual(["b2", "a1", "c3"]);
  });
});

describe("table paging", () => {
  it("reads limit/offset with the 10,000 default", () => {
    expect(readPageRequest(new URLSearchParams(""))).toEqual({ limit: 10_000, offset: 0 });
    expect(readPageRequest(new URLSearchParams("sysparm_limit=5&sysparm_offset=10"))).toEqual({
      limit: 5,
      offset: 10,
    });
  });

  it("builds first/prev/next/last links that keep the query", () => {
    const params = new URLSearchParams("sysparm_query=active=true&sysparm_limit=10&sysparm_offset=10");
    const links = parseLinkHeader(
      linkHeader("http://h/api/now/table/sys_user", params, { limit: 10, offset: 10 }, 25),
    );
    const offsetOf = (u: string | undefined) => new URL(u!).searchParams.get("sysparm_offset");
    expect(Object.keys(links).sort()).toEqual(["first", "last", "next", "prev"]);
    expect([offsetOf(links.first), offsetOf(links.prev), offsetOf(links.next), offsetOf(links.last)]).toEqual(
      ["0", "0", "20", "20"],
    );
    expect(new URL(links.next!).searchParams.get("sysparm_query")).toBe("active=true");
  });

  it("has no next on the last page", () => {
    const links = parseLinkHeader(
      linkHeader("http://h/t", new URLSearchParams(), { limit: 10, offset: 20 }, 25),
    );
    expect(links.next).toBeUndefined();
  });
});
