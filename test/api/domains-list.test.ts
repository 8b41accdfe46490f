import {
  BadRequestException,
  CreateDomainCommand,
  ListDomainsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describeEachDialect("ListDomains pagination through the SDK", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  it("ListDomains pages with opaque tokens through every domain exactly once", async () => {
    const names = ["p-a", "p-b", "p-c", "p-d", "p-e", "p-f", "p-g"];
    for (const n of names) {
      await t.profiles.send(
        new CreateDomainCommand({ DomainName: n, DefaultExpirationDays: 1, Tags: { n } }),
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.profiles.send(new ListDomainsCommand({ MaxResults: 3, NextToken: token }));
      expect(page.Items!.length).toBeLessThanOrEqual(3);
      for (const item of page.Items ?? []) {
        seen.push(item.DomainName!);
        expect(item.CreatedAt).toBeInstanceOf(Date);
        expect(item.LastUpdatedAt).toBeInstanceOf(Date);
        if (item.DomainName!.startsWith("p-")) expect(item.Tags).toEqual({ n: item.DomainName });
      }
      token = page.NextToken;
      pages++;
    } while (token);
    const all = [...names].sort();
    expect([...seen].sort()).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(all.length / 3));
    const whole = await t.profiles.send(new ListDomainsCommand({}));
    expect(whole.Items).toHaveLength(all.length);
    expect(whole.NextToken).toBeUndefined();
  });

  it("ListDomains refuses a foreign or forged token and an out-of-range MaxResults", async () => {
    for (const [input, member] of [
      [{ NextToken: "not-a-token" }, "NextToken"],
      [
        { NextToken: Buffer.from('{"l":"ListProfileObjectTypes/retail","a":"x"}').toString("base64url") },
        "NextToken",
      ],
      [{ MaxResults: 0 }, "MaxResults"],
      [{ MaxResults: 101 }, "MaxResults"],
    ] as const) {
      const e = await failure(t.profiles.send(new ListDomainsCommand(input)));
      expect(e).toBeInstanceOf(BadRequestException);
      expect(e.message).toContain(member);
    }
  });

  it("a page resumes after the last name it returned, whatever was created meanwhile", async () => {
    const first = await t.profiles.send(new ListDomainsCommand({ MaxResults: 2 }));
    expect(first.Items?.map((i) => i.DomainName)).toEqual(["p-a", "p-b"]);
    // Created between pages: one sorts before the cursor, one after it.
    await t.profiles.send(new CreateDomainCommand({ DomainName: "p-0", DefaultExpirationDays: 1 }));
    await t.profiles.send(new CreateDomainCommand({ DomainName: "p-bb", DefaultExpirationDays: 1 }));
    const second = await t.profiles.send(
      new ListDomainsCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.Items?.map((i) => i.DomainName)).toEqual(["p-bb", "p-c"]);
  });
});
