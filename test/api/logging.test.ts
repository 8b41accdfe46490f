import { Writable } from "node:stream";
import { ListTagsForResourceCommand, TagResourceCommand } from "@aws-sdk/client-customer-profiles";
import { expect, it } from "vitest";
import { createLogger } from "../../src/core/logger.ts";
import { startTestServer } from "../helpers/test-server.ts";

it("request logs are structured and never contain secrets or signatures", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const t = await startTestServer("sqlite", { logger: createLogger("info", sink) });
  try {
    const arn = "arn:aws:profile:us-east-1:000000000000:domains/logged";
    t.server.resources.add(async (_q, a) => a === arn);
    await t.profiles.send(new TagResourceCommand({ resourceArn: arn, tags: { a: "b" } }));
    await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = records.filter((r) => r["msg"] === "request");
    expect(requests.map((r) => r["operation"])).toEqual(["TagResource", "ListTagsForResource"]);
    expect(requests[0]).toMatchObject({ status: 200, service: "profile", method: "POST" });
    const all = lines.join("\n");
    expect(all).not.toContain(t.credentials.secretAccessKey);
    expect(all).not.toMatch(/Signature=/);
    expect(all).not.toMatch(/AWS4-HMAC-SHA256/);
  } finally {
    await t.close();
  }
});
