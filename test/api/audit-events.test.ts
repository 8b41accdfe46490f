import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import {
  CreateDomainCommand,
  CustomerProfilesClient,
  DeleteDomainCommand,
  GetDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { IAMClient } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, expect, it } from "vitest";
import { printAudit } from "../../src/cli/commands/audit.ts";
import { type ApiClients, apiClients } from "../../src/cli/integrate/api-clients.ts";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const ACCOUNT = "000000000000";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const DOMAIN_ARN = `arn:aws:profile:us-east-1:${ACCOUNT}:domains/audit-d`;

interface Item {
  EventId: string;
  EventTime: number;
  RequestId: string;
  PrincipalArn: string;
  Action: string;
  Resource: string;
  Decision: string;
}

/** Collects what a command writes. */
function sink(): NodeJS.WritableStream & { text: () => string } {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return Object.assign(s, { text: () => Buffer.concat(chunks).toString("utf8") });
}

/** A CLI ApiClients signing with `credentials` (through a credentials file, as the CLI reads it). */
function cliAs(t: TestServer, dirs: string[], credentials: { accessKeyId: string; secretAccessKey: string }) {
  const dir = mkdtempSync(join(tmpdir(), "pf-audit-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "credentials"),
    `[profileflow]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`,
  );
  return apiClients({ endpoint: t.endpoint, data: dir });
}

// Issue 16, point 5: every authorization decision on a mutating call is recorded (principal, action,
// resource, decision, time, request id), denied calls too, and listed by ListAuditEvents and `profileflow audit`.
describeEachDialect("the audit trail of authorization decisions", (dialect) => {
  let t: TestServer;
  let now = Date.now();
  const clients = sdkClients(() => t.endpoint);
  const dirs: string[] = [];
  const apis: ApiClients[] = [];
  let root: ApiClients;
  let readerArn: string;
  let deniedRequestId: string;
  let createdAt: number;

  const list = async (api: ApiClients, query: Record<string, string> = {}) =>
    (await api.extensionGet("profile", "/audit-events", query)) as { Items: Item[]; NextToken?: string };

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: { now: () => now } });
    root = cliAs(t, dirs, t.credentials);
    apis.push(root);
    await t.profiles.send(new CreateDomainCommand({ DomainName: "audit-d", DefaultExpirationDays: 30 }));
    createdAt = now;
    now += 120_000; // two minutes later (within the signature's 15 minutes)
    await t.profiles.send(new GetDomainCommand({ DomainName: "audit-d" }));
    const iam = clients.client(IAMClient, t.credentials);
    const reader = await userWithKey(
      iam,
      "reader",
      policyDocument({
        Effect: "Allow",
        Action: ["profile:GetDomain", "profile:ListAuditEvents"],
        Resource: "*",
      }),
    );
    readerArn = `arn:aws:iam::${ACCOUNT}:user/reader`;
    const e = await failure(
      clients.client(CustomerProfilesClient, reader).send(new DeleteDomainCommand({ DomainName: "audit-d" })),
    );
    expect(e.name).toBe("AccessDeniedException");
    deniedRequestId = (e as { $metadata?: { requestId?: string } }).$metadata!.requestId!;
    expect(deniedRequestId).toBeTruthy();
    const denier = await userWithKey(
      iam,
      "denier",
      policyDocument(
        { Effect: "Allow", Action: "profile:*", Resource: "*" },
        { Effect: "Deny", Action: "profile:DeleteDomain", Resource: "*" },
      ),
    );
    await failure(
      clients.client(CustomerProfilesClient, denier).send(new DeleteDomainCommand({ DomainName: "audit-d" })),
    );
    apis.push(cliAs(t, dirs, reader));
  });
  afterAll(async () => {
    for (const a of apis) a.close();
    clients.destroyAll();
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("records mutating calls — the root's allowed, a user's refused with the request id answered — and no reads", async () => {
    const { Items } = await list(root);
    expect(Items.some((e) => e.Action === "profile:GetDomain")).toBe(false);
    const created = Items.find((e) => e.Action === "profile:CreateDomain")!;
    expect(created).toMatchObject({ PrincipalArn: ROOT, Resource: DOMAIN_ARN, Decision: "Allow" });
    expect(created.EventTime).toBe(createdAt / 1000);
    const denied = Items.find((e) => e.PrincipalArn === readerArn)!;
    expect(denied).toMatchObject({
      Action: "profile:DeleteDomain",
      Resource: DOMAIN_ARN,
      Decision: "ImplicitDeny",
      RequestId: deniedRequestId,
    });
    expect(Items.find((e) => e.PrincipalArn.endsWith(":user/denier"))?.Decision).toBe("ExplicitDeny");
    // The root's IAM calls are mutating calls too.
    expect(Items.filter((e) => e.Action === "iam:CreateUser").map((e) => e.Resource)).toEqual([
      `arn:aws:iam::${ACCOUNT}:user/denier`,
      `arn:aws:iam::${ACCOUNT}:user/reader`,
    ]);
    // Newest first.
    const times = Items.map((e) => e.EventTime);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("filters by principal, action, decision and time range, and pages with NextToken", async () => {
    const byPrincipal = await list(root, { "principal-arn": readerArn });
    expect(byPrincipal.Items.map((e) => e.Action)).toEqual(["profile:DeleteDomain"]);
    const byAction = await list(root, { action: "profile:DeleteDomain" });
    expect(byAction.Items.map((e) => e.Decision)).toEqual(["ExplicitDeny", "ImplicitDeny"]);
    const byDecision = await list(root, { decision: "ImplicitDeny" });
    expect(byDecision.Items.map((e) => e.PrincipalArn)).toEqual([readerArn]);
    const before = await list(root, { "end-time": String((createdAt + 60_000) / 1000) });
    expect(before.Items.map((e) => e.Action)).toEqual(["profile:CreateDomain"]);
    const after = await list(root, { "start-time": String((createdAt + 60_000) / 1000) });
    expect(after.Items.some((e) => e.Action === "profile:CreateDomain")).toBe(false);
    expect(after.Items.length).toBeGreaterThan(3);

    const all = (await list(root)).Items;
    const paged: Item[] = [];
    let token: string | undefined;
    do {
      const page = await list(root, { "max-results": "2", ...(token ? { "next-token": token } : {}) });
      expect(page.Items.length).toBeLessThanOrEqual(2);
      paged.push(...page.Items);
      token = page.NextToken;
    } while (token);
    expect(paged.map((e) => e.EventId)).toEqual(all.map((e) => e.EventId));
  });

  it("validates its filters precisely and is itself an authorized (read) operation", async () => {
    await expect(list(root, { decision: "Maybe" })).rejects.toThrow(
      /^1 validation error detected: Decision /,
    );
    await expect(list(root, { "start-time": "soon" })).rejects.toThrow(/StartTime/);
    await expect(list(root, { "start-time": "20", "end-time": "10" })).rejects.toThrow(
      "1 validation error detected: StartTime must be before EndTime",
    );
    await expect(list(root, { "next-token": "bm9wZQ" })).rejects.toThrow(/NextToken/);
    // reader may list (profile:ListAuditEvents); denier may too (profile:*); the listing is not recorded.
    const mine = await list(apis[1]!, { "principal-arn": readerArn });
    expect(mine.Items).toHaveLength(1);
    expect((await list(root)).Items.some((e) => e.Action === "profile:ListAuditEvents")).toBe(false);
    const iam = clients.client(IAMClient, t.credentials);
    const none = cliAs(t, dirs, await userWithKey(iam, "nobody"));
    apis.push(none);
    await expect(list(none)).rejects.toThrow(
      `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: profile:ListAuditEvents on resource: * because no identity-based policy allows the profile:ListAuditEvents action`,
    );
  });

  it("profileflow audit prints the trail with the same filters", async () => {
    const out = sink();
    expect(await printAudit(root, { decision: "ImplicitDeny" }, out, now)).toBe(1);
    expect(out.text()).toContain(
      `ImplicitDeny  ${readerArn}  profile:DeleteDomain  ${DOMAIN_ARN}  ${deniedRequestId}`,
    );
    const json = sink();
    await printAudit(root, { action: "profile:CreateDomain", json: true }, json, now);
    const lines = json
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Item);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ PrincipalArn: ROOT, Decision: "Allow" });
    const recent = sink();
    // --since 1m: only what happened in the last minute of the server's clock (not the CreateDomain).
    await printAudit(root, { since: "1m", action: "profile:CreateDomain" }, recent, now);
    expect(recent.text()).toBe("No audit events match.\n");
    const few = sink();
    expect(await printAudit(root, { limit: "2" }, few, now)).toBe(2);
    expect(few.text()).toContain("(more than 2; use --limit, --all or narrower filters)");
  });
});
