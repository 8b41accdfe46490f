import { describe, expect, it } from "vitest";
import { type Activity, activityTypes, readFeedPage } from "../../src/sandbox/marketo/activity-feed.ts";
import { BulkExportJobs, presentJob } from "../../src/sandbox/marketo/bulk-export-jobs.ts";
import { csvCell, toCsv } from "../../src/sandbox/marketo/csv.ts";
import {
  chicagoDay,
  formatActivityDate,
  formatJobDate,
  formatLeadDate,
  parseMarketoDate,
} from "../../src/sandbox/marketo/dates.ts";
import { failure, MarketoError } from "../../src/sandbox/marketo/envelope.ts";
import { pageLeads, parseLeadQuery } from "../../src/sandbox/marketo/lead-query.ts";
import { CallLimits, msUntilChicagoMidnight } from "../../src/sandbox/marketo/limits.ts";
import {
  base32Decode,
  base32Encode,
  decodeActivityToken,
  decodeLeadToken,
  encodeActivityToken,
} from "../../src/sandbox/marketo/paging-token.ts";
import { TokenIssuer } from "../../src/sandbox/marketo/token-issuer.ts";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MarketoError) return e.code;
    throw e;
  }
  return undefined;
};

describe("paging tokens", () => {
  it("base32 round-trips and matches RFC 4648 vectors", () => {
    expect(base32Encode(Buffer.from("foobar"))).toBe("MZXW6YTBOI======");
    expect(base32Encode(Buffer.from("f"))).toBe("MY======");
    expect(Buffer.from(base32Decode("MZXW6YTBOI======")!).toString()).toBe("foobar");
    expect(base32Decode("not base32!")).toBeUndefined();
  });
  it("activity positions survive encoding; a lead token is not an activity token", () => {
    const t = encodeActivityToken({ at: 1_700_000_000_123, id: 42 });
    expect(t).toMatch(/^[A-Z2-7]+=*$/);
    expect(decodeActivityToken(t)).toEqual({ at: 1_700_000_000_123, id: 42 });
    expect(decodeLeadToken(t)).toBeUndefined();
  });
});

describe("dates", () => {
  it("formats each of Marketo's shapes", () => {
    const ms = Date.UTC(2024, 0, 15, 12, 30, 45, 678);
    expect(formatLeadDate(ms)).toBe("2024-01-15T12:30:45Z");
    expect(formatActivityDate(ms)).toBe("2024-01-15T12:30:45+0000");
    expect(formatJobDate(ms)).toBe("2024-01-15T06:30:45-06:00");
    expect(formatJobDate(Date.UTC(2024, 6, 1, 12))).toBe("2024-07-01T07:00:00-05:00");
  });
  it("parses zoned ISO dates and can refuse milliseconds", () => {
    expect(parseMarketoDate("2024-01-15T12:30:45Z")).toBe(Date.UTC(2024, 0, 15, 12, 30, 45));
    expect(parseMarketoDate("2024-01-15T12:30:45+0100")).toBe(Date.UTC(2024, 0, 15, 11, 30, 45));
    expect(parseMarketoDate("2024-01-15T12:30:45.123Z", false)).toBeUndefined();
    expect(parseMarketoDate("2024-01-15T12:30:45")).toBeUndefined();
  });
  it("the quota day turns at midnight Chicago, not UTC", () => {
    expect(chicagoDay(Date.UTC(2024, 0, 16, 5, 59))).toBe("2024-01-15");
    expect(chicagoDay(Date.UTC(2024, 0, 16, 6, 0))).toBe("2024-01-16");
  });
});

describe("leads.json query", () => {
  const leads = Array.from({ length: 7 }, (_, i) => ({
    id: i + 1,
    email: `P${i}@x.com`,
    firstName: `F${i}`,
  }));
  it("validates filterType, values, fields and batchSize with Marketo's codes", () => {
    expect(codeOf(() => parseLeadQuery({}))).toBe("1003");
    expect(codeOf(() => parseLeadQuery({ filterType: "nope", filterValues: "1" }))).toBe("1006");
    expect(codeOf(() => parseLeadQuery({ filterType: "createdAt", filterValues: "1" }))).toBe("1011");
    expect(codeOf(() => parseLeadQuery({ filterType: "id", filterValues: "1", fields: "id,bogus" }))).toBe(
      "1006",
    );
    expect(codeOf(() => parseLeadQuery({ filterType: "id", filterValues: "1", batchSize: "301" }))).toBe(
      "1003",
    );
    const many = Array.from({ length: 301 }, (_, i) => i).join(",");
    expect(codeOf(() => parseLeadQuery({ filterType: "id", filterValues: many }))).toBe("1003");
  });
  it("pages with position tokens bound to the filter", () => {
    const q = parseLeadQuery({
      filterType: "id",
      filterValues: "1,2,3,4,5,6,7",
      batchSize: "3",
      fields: "email",
    });
    const p1 = pageLeads(q, leads);
    expect(p1.result.map((r) => r["id"])).toEqual([1, 2, 3]);
    expect(p1.result[0]).toEqual({ id: 1, email: "P0@x.com" });
    expect(p1.moreResult).toBe(true);
    const q2 = parseLeadQuery({
      filterType: "id",
      filterValues: "1,2,3,4,5,6,7",
      batchSize: "3",
      nextPageToken: p1.nextPageToken!,
    });
    const p2 = pageLeads(q2, leads);
    const q3 = parseLeadQuery({
      filterType: "id",
      filterValues: "1,2,3,4,5,6,7",
      batchSize: "3",
      nextPageToken: p2.nextPageToken!,
    });
    const p3 = pageLeads(q3, leads);
    expect([...p2.result, ...p3.result].map((r) => r["id"])).toEqual([4, 5, 6, 7]);
    expect(p3.moreResult).toBe(false);
    expect(p3.nextPageToken).toBeUndefined();
    expect(
      codeOf(() => parseLeadQuery({ filterType: "id", filterValues: "1", nextPageToken: p1.nextPageToken! })),
    ).toBe("1003");
  });
  it("refuses more than 1,000 matches", () => {
    const q = parseLeadQuery({ filterType: "email", filterValues: "a@x.com" });
    const big = Array.from({ length: 1001 }, (_, i) => ({ id: i, email: "a@x.com" }));
    expect(codeOf(() => pageLeads(q, big))).toBe("1003");
  });
});

describe("activity feed", () => {
  const acts: Activity[] = [];
  for (let i = 1; i <= 10; i++) {
    acts.push({
      id: i,
      leadId: 100 + i,
      order: i,
      at: 1000 * Math.ceil(i / 4),
      activityTypeId:
        i % 5 === 0
          ? activityTypes.deleteLead
          : i % 2
            ? activityTypes.newLead
            : activityTypes.changeDataValue,
      fields: [{ id: 48, name: i % 4 === 0 ? "phone" : "email", newValue: "n", oldValue: "o" }],
      primaryAttributeValue: "Doe, Jane",
    });
  }
  const after = (p: { at: number; id: number }) =>
    acts.filter((a) => a.at > p.at || (a.at === p.at && a.id > p.id));
  const readAll = (typeIds: Set<number>, batchSize: number, scanLimit: number, fields?: Set<string>) => {
    let pos = { at: 0, id: 0 };
    const pages = [];
    for (;;) {
      const page = readFeedPage(after(pos), {
        after: pos,
        batchSize,
        scanLimit,
        typeIds,
        ...(fields ? { fields } : {}),
      });
      pages.push(page);
      pos = decodeActivityToken(page.nextPageToken)!;
      if (!page.moreResult) return pages;
    }
  };
  it("walks equal timestamps by id without loss or repeats, across page boundaries", () => {
    const pages = readAll(new Set([12, 13, 37]), 3, 300);
    expect(pages.flatMap((p) => p.result.map((r) => r["id"]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(pages.at(-1)!.moreResult).toBe(false);
  });
  it("returns short and empty pages with moreResult:true when the scan limit is hit", () => {
    const pages = readAll(new Set([activityTypes.deleteLead]), 300, 2);
    expect(pages.some((p) => p.result.length === 0 && p.moreResult)).toBe(true);
    expect(pages.flatMap((p) => p.result.map((r) => r["id"]))).toEqual([5, 10]);
    const deleted = pages.flatMap((p) => p.result)[0]!;
    expect(deleted).toMatchObject({
      activityTypeId: 37,
      leadId: 105,
      primaryAttributeValue: "Doe, Jane",
      marketoGUID: "5",
    });
  });
  it("leadchanges keeps only changes to the requested fields", () => {
    const pages = readAll(new Set([12, 13]), 300, 300, new Set(["email"]));
    const ids = pages.flatMap((p) => p.result.map((r) => r["id"]));
    expect(ids).toEqual([1, 2, 3, 6, 7, 9]);
  });
  it("an exhausted feed still hands back a resumable token", () => {
    const end = readFeedPage([], {
      after: { at: 5, id: 9 },
      batchSize: 3,
      scanLimit: 300,
      typeIds: new Set([12]),
    });
    expect(end.moreResult).toBe(false);
    expect(decodeActivityToken(end.nextPageToken)).toEqual({ at: 5, id: 9 });
  });
});

describe("bulk export jobs", () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2024, 2, 1, 12, 0, 10);
  let n = 0;
  const make = (opts = {}) =>
    new BulkExportJobs(
      (job) => ({ csv: toCsv(job.fields, [{ id: 1, email: "a@x.com" }]), numberOfRecords: 1 }),
      () => `job-${++n}`,
      opts,
    );
  const body = (startAt: string, endAt: string, field = "updatedAt") => ({
    fields: ["id", "email"],
    format: "CSV",
    filter: { [field]: { startAt, endAt } },
  });
  it("rejects windows over 31 days, milliseconds, unknown fields (1003/1006) and updatedAt where unsupported (1035)", () => {
    const jobs = make();
    expect(codeOf(() => jobs.create(body("2024-01-01T00:00:00Z", "2024-02-01T00:00:01Z"), t0))).toBe("1003");
    expect(codeOf(() => jobs.create(body("2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00Z"), t0))).toBe(
      "1003",
    );
    expect(codeOf(() => jobs.create({ fields: ["nope"], filter: { createdAt: {} } }, t0))).toBe("1006");
    expect(
      codeOf(() => jobs.create(body("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"), t0)),
    ).toBeUndefined();
    expect(
      codeOf(() =>
        make({ updatedAtFilter: false }).create(body("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), t0),
      ),
    ).toBe("1035");
  });
  it("moves only on 60 s boundaries, two at a time, and finishes with a checksummed file", () => {
    const jobs = make();
    const ids = [0, 1, 2].map(
      () => jobs.create(body("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), t0).exportId,
    );
    for (const id of ids) jobs.enqueue(id, t0);
    expect(jobs.status(ids[0]!, t0 + 49_000).status).toBe("Queued");
    const boundary = Math.floor(t0 / 60_000) * 60_000 + 60_000;
    expect(ids.map((id) => jobs.status(id, boundary).status)).toEqual(["Processing", "Processing", "Queued"]);
    expect(jobs.file(ids[0]!, boundary)).toBeUndefined();
    expect(ids.map((id) => jobs.status(id, boundary + 60_000).status)).toEqual([
      "Completed",
      "Completed",
      "Processing",
    ]);
    const done = presentJob(jobs.status(ids[0]!, boundary + 60_000));
    expect(done).toMatchObject({ status: "Completed", numberOfRecords: 1, fileSize: 19 });
    expect(String(done["fileChecksum"])).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(jobs.file(ids[0]!, boundary + 60_000)!.toString()).toBe("id,email\n1,a@x.com\n");
    expect(jobs.file(ids[0]!, boundary + 8 * day)).toBeUndefined();
  });
  it("refuses an 11th queued job and a spent daily allocation with 1029; cancel frees a slot", () => {
    const jobs = make();
    const create = () => jobs.create(body("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), t0).exportId;
    const ids = Array.from({ length: 10 }, create);
    for (const id of ids) jobs.enqueue(id, t0);
    const extra = create();
    expect(codeOf(() => jobs.enqueue(extra, t0))).toBe("1029");
    jobs.cancel(ids[9]!, t0);
    expect(codeOf(() => jobs.enqueue(extra, t0))).toBeUndefined();
    expect(codeOf(() => jobs.enqueue(extra, t0))).toBe("1029");

    const tiny = make({ dailyQuotaBytes: 10 });
    const a = tiny.create(body("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), t0).exportId;
    tiny.enqueue(a, t0);
    expect(tiny.status(a, t0 + 180_000).status).toBe("Completed");
    const b = tiny.create(body("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), t0 + 180_000).exportId;
    const err = (() => {
      try {
        tiny.enqueue(b, t0 + 180_000);
      } catch (e) {
        return e as MarketoError;
      }
    })();
    expect(err?.code).toBe("1029");
    expect(err?.message).toMatch(/daily quota/);
    expect(codeOf(() => tiny.enqueue(b, t0 + day))).toBeUndefined();
  });
});

describe("limits and tokens", () => {
  it("607 once the daily quota is spent, lifting at midnight Chicago", () => {
    const limits = new CallLimits();
    const t = Date.UTC(2024, 0, 10, 12);
    for (let i = 0; i < 150; i++) limits.record(t + i);
    expect(limits.quotaSpent(t + 200, 150)).toBe(true);
    expect(limits.quotaSpent(t + 200, 151)).toBe(false);
    const reset = msUntilChicagoMidnight(t);
    expect(t + reset).toBe(Date.UTC(2024, 0, 11, 6));
    expect(limits.quotaSpent(t + reset - 1000, 150)).toBe(true);
    expect(limits.quotaSpent(t + reset, 150)).toBe(false);
  });
  it("615 when more than maxConcurrent calls are in flight", () => {
    const limits = new CallLimits();
    expect([limits.enter(2), limits.enter(2), limits.enter(2)]).toEqual([true, true, false]);
    limits.leave();
    expect(limits.enter(2)).toBe(true);
  });
  it("issues the same token until it expires, then a new one; the old one reads as expired", () => {
    const issuer = new TokenIssuer("id", "secret");
    expect(issuer.issue("id", "wrong", 0)).toBeUndefined();
    const a = issuer.issue("id", "secret", 0)!;
    expect(a.expiresInS).toBe(3600);
    expect(issuer.issue("id", "secret", 1_000_000)).toEqual({ token: a.token, expiresInS: 2600 });
    expect(issuer.check(a.token, 3_599_999)).toBe("ok");
    expect(issuer.check(a.token, 3_600_000)).toBe("expired");
    const b = issuer.issue("id", "secret", 3_600_000)!;
    expect(b.token).not.toBe(a.token);
    expect(issuer.check(a.token, 3_600_001)).toBe("expired");
    expect(issuer.check("garbage", 0)).toBe("invalid");
    expect(issuer.check(undefined, 0)).toBe("empty");
  });
});

describe("envelope and csv", () => {
  it("errors carry string codes and Marketo's messages", () => {
    const body = failure(0, "606");
    expect(body.success).toBe(false);
    expect(body.errors).toEqual([
      { code: "606", message: "Max rate limit '100' exceeded with in '20' secs" },
    ]);
    expect(body.requestId).toMatch(/^[0-9a-f]+#[0-9a-f]+$/);
  });
  it("csv quotes what needs quoting and writes null for missing", () => {
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell("line1\nline2")).toBe('"line1\nline2"');
    expect(csvCell(null)).toBe("null");
  });
});
