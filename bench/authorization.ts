/**
 * What authorization adds to a request (issue 16, point 6): (1) the policy evaluator alone over a
 * realistic policy set (a user's five policies, 14 statements with wildcards, a policy variable, tag,
 * region and date conditions, plus the seed's least-privilege workflow policy); (2) the authorizer in
 * process — principal lookup, the caller's policies from the database, resource tags, evaluation, and
 * for a mutating call the audit row — for the account root (always allowed) and for an IAM user;
 * (3) signed requests through the real SDK over HTTP, as the root and as the IAM user, interleaved.
 * `npx tsx bench/authorization.ts [--evaluations 200000] [--calls 3000] [--requests 1500] [--only sqlite|postgres]`.
 */
import { parseArgs } from "node:util";
import {
  CreateDomainCommand,
  CustomerProfilesClient,
  GetDomainCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { parsePolicyDocument } from "../src/iam/policy-document.ts";
import { evaluatePolicies, type NamedPolicy } from "../src/iam/policy-evaluator.ts";
import { contextValues } from "../src/iam/request-context.ts";
import type { AuthorizationInput } from "../src/security/iam/authorizer.ts";
import { fillWorkflowRolePolicy } from "../src/security/iam/workflow-role-policy.ts";
import { benchDialects, loadAverage, percentile, withBenchServer } from "./shared/bench-server.ts";

const { values: args } = parseArgs({
  options: {
    evaluations: { type: "string", default: "200000" },
    calls: { type: "string", default: "3000" },
    requests: { type: "string", default: "1500" },
    only: { type: "string" },
  },
});
const ACCOUNT = "000000000000";
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A realistic user's policies: what an agent-desktop integration with read access to one domain holds. */
const USER_POLICIES: Record<string, string> = {
  ReadDomain: doc(
    {
      Sid: "Read",
      Effect: "Allow",
      Action: ["profile:Get*", "profile:List*", "profile:Search*"],
      Resource: [
        `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench`,
        `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench/*`,
      ],
    },
    { Sid: "Templates", Effect: "Allow", Action: "profile:ListProfileObjectTypeTemplates", Resource: "*" },
  ),
  WriteTagged: doc(
    {
      Sid: "WriteOwn",
      Effect: "Allow",
      Action: ["profile:PutProfileObject", "profile:UpdateProfile", "profile:UpdateDomain"],
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/team": "agents", "aws:RequestedRegion": "us-east-1" } },
    },
    {
      Sid: "UserDomains",
      Effect: "Allow",
      Action: "profile:*",
      Resource: `arn:aws:profile:*:${ACCOUNT}:domains/\${aws:username}-*`,
    },
  ),
  Guards: doc(
    { Sid: "NoDeletes", Effect: "Deny", Action: ["profile:Delete*", "appflow:Delete*"], Resource: "*" },
    {
      Sid: "OnlyUntilEndOfYear",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateGreaterThan: { "aws:CurrentTime": "2099-12-31T23:59:59Z" } },
    },
    {
      Sid: "NoIam",
      Effect: "Deny",
      NotAction: [
        "iam:GetUser",
        "iam:ListAccessKeys",
        "sts:*",
        "profile:*",
        "appflow:Describe*",
        "appflow:List*",
      ],
      Resource: "*",
    },
  ),
  Flows: doc(
    { Sid: "Describe", Effect: "Allow", Action: ["appflow:Describe*", "appflow:List*"], Resource: "*" },
    {
      Sid: "Run",
      Effect: "Allow",
      Action: "appflow:StartFlow",
      Resource: `arn:aws:appflow:us-east-1:${ACCOUNT}:flow/bench-*`,
      Condition: {
        "ForAnyValue:StringLike": { "aws:TagKeys": ["team*"] },
        Bool: { "aws:SecureTransport": "false" },
      },
    },
  ),
  Workflow: fillWorkflowRolePolicy(
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    "us-east-1",
  ),
};

function stats(samplesNs: number[]): { p50: number; p99: number; mean: number } {
  const us = samplesNs.map((n) => n / 1000).sort((a, b) => a - b);
  return {
    p50: percentile(us, 50),
    p99: percentile(us, 99),
    mean: us.reduce((a, b) => a + b, 0) / us.length,
  };
}
const fmt = (s: { p50: number; p99: number; mean: number }, unit = "µs", digits = 1) =>
  `p50 ${s.p50.toFixed(digits)} ${unit}, p99 ${s.p99.toFixed(digits)} ${unit}, mean ${s.mean.toFixed(digits)} ${unit}`;

/** (1) The evaluator alone: parsed once, evaluated per request. */
function benchEvaluator(n: number): void {
  const policies: NamedPolicy[] = Object.entries(USER_POLICIES).map(([name, text]) => ({
    name,
    document: parsePolicyDocument(text, "identity"),
  }));
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const base = {
    "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/agent`,
    "aws:username": "agent",
    "aws:CurrentTime": now,
    "aws:SecureTransport": "false",
    "aws:RequestedRegion": "us-east-1",
  };
  const requests = [
    { action: "profile:GetDomain", resource: `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench` },
    { action: "profile:SearchProfiles", resource: `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench` },
    {
      action: "profile:PutProfileObject",
      resource: `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench/object-types/Contact`,
      tags: { "aws:ResourceTag/team": "agents" },
    },
    { action: "profile:DeleteDomain", resource: `arn:aws:profile:us-east-1:${ACCOUNT}:domains/bench` },
    {
      action: "appflow:StartFlow",
      resource: `arn:aws:appflow:us-east-1:${ACCOUNT}:flow/bench-contacts`,
      tags: { "aws:TagKeys": ["team"] },
    },
    {
      action: "appflow:CreateFlow",
      resource: `arn:aws:appflow:us-east-1:${ACCOUNT}:flow/x`,
      tags: { "aws:RequestTag/awsOwningService": "customer-profiles-integration-workflow" },
    },
    { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/eve` },
    {
      action: "profile:GetProfileObjectType",
      resource: `arn:aws:profile:us-east-1:${ACCOUNT}:domains/agent-sandbox/object-types/T`,
    },
  ].map((r) => ({ action: r.action, resource: r.resource, context: contextValues({ ...base, ...r.tags }) }));
  for (let i = 0; i < 20_000; i++) evaluatePolicies(policies, requests[i % requests.length]!); // warm up
  const samples: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = requests[i % requests.length]!;
    const t0 = process.hrtime.bigint();
    evaluatePolicies(policies, r);
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  const statements = policies.reduce((a, p) => a + p.document.statements.length, 0);
  console.log(
    `evaluator, ${policies.length} policies / ${statements} statements, ${n} evaluations of 8 requests: ${fmt(stats(samples), "µs", 2)}`,
  );
}

/** Times `call` `n` times (after a warm-up), in ns per call. */
async function timed(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await call();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(Number(process.hrtime.bigint() - t0));
  }
  return out;
}

benchEvaluator(Number(args.evaluations));

for (const dialect of benchDialects(args.only)) {
  await withBenchServer(dialect, "authz", async ({ server, newClient }) => {
    const root = newClient();
    await root.send(
      new CreateDomainCommand({ DomainName: "bench", DefaultExpirationDays: 30, Tags: { team: "agents" } }),
    );
    const address = server.app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const url = `http://127.0.0.1:${port}`;
    const rootCredentials = { accessKeyId: "AKIDPROFILEFLOWBENCH", secretAccessKey: "bench-secret" };
    const iam = new IAMClient({
      endpoint: url,
      region: "us-east-1",
      credentials: rootCredentials,
      maxAttempts: 1,
    });
    await iam.send(new CreateUserCommand({ UserName: "agent" }));
    for (const [PolicyName, PolicyDocument] of Object.entries(USER_POLICIES)) {
      await iam.send(new PutUserPolicyCommand({ UserName: "agent", PolicyName, PolicyDocument }));
    }
    const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: "agent" }));
    // A read-only user: one policy, no tag condition (the resource's tags are not read for it).
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "reader",
        PolicyName: "ReadDomain",
        PolicyDocument: USER_POLICIES["ReadDomain"]!,
      }),
    );
    const { AccessKey: rk } = await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }));
    iam.destroy();
    const userCredentials = { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! };

    // (2) The authorizer in process.
    const authorize = (accessKeyId: string, operation: string, body: unknown = {}) => {
      const input: AuthorizationInput = {
        service: "profile",
        operation,
        params: { DomainName: "bench" },
        body,
        accessKeyId,
        requestId: "bench",
      };
      return server.iam.authorizer.authorize(input);
    };
    const calls = Number(args.calls);
    const rows: string[] = [];
    for (const [label, op, body] of [
      ["GetDomain (read)", "GetDomain", {}],
      ["UpdateDomain (mutating: + audit row)", "UpdateDomain", { DefaultExpirationDays: 30 }],
    ] as const) {
      const r = stats(await timed(calls, () => authorize(rootCredentials.accessKeyId, op, body)));
      const u = stats(await timed(calls, () => authorize(userCredentials.accessKeyId, op, body)));
      rows.push(`  authorize ${label}: root ${fmt(r)} | IAM user (5 policies) ${fmt(u)}`);
      if (op === "GetDomain") {
        const ro = stats(await timed(calls, () => authorize(rk!.AccessKeyId!, op, body)));
        rows.push(`  authorize ${label}: read-only IAM user (1 policy, no tag condition) ${fmt(ro)}`);
      }
    }

    // (3) Signed requests through the SDK, root and user interleaved.
    const user = new CustomerProfilesClient({
      endpoint: url,
      region: "us-east-1",
      credentials: userCredentials,
      maxAttempts: 1,
    });
    const n = Number(args.requests);
    const get = new GetDomainCommand({ DomainName: "bench" });
    const update = new UpdateDomainCommand({ DomainName: "bench", DefaultExpirationDays: 30 });
    const result: Record<string, number[]> = { rootGet: [], userGet: [], rootUpdate: [], userUpdate: [] };
    for (let i = 0; i < 100; i++) {
      await root.send(get);
      await user.send(get);
    }
    for (let i = 0; i < n; i++) {
      for (const [key, client, cmd] of [
        ["rootGet", root, get],
        ["userGet", user, get],
        ["rootUpdate", root, update],
        ["userUpdate", user, update],
      ] as const) {
        const t0 = process.hrtime.bigint();
        await (client as CustomerProfilesClient).send(cmd as GetDomainCommand);
        result[key]!.push(Number(process.hrtime.bigint() - t0));
      }
    }
    user.destroy();
    const ms = (k: string) => {
      const s = stats(result[k]!);
      return { p50: s.p50 / 1000, p99: s.p99 / 1000, mean: s.mean / 1000 };
    };
    console.log(`${dialect} (load ${loadAverage()}):`);
    for (const r of rows) console.log(r);
    for (const op of ["Get", "Update"]) {
      const r = ms(`root${op}`);
      const u = ms(`user${op}`);
      console.log(
        `  SDK ${op}Domain over HTTP, ${n} each: root ${fmt(r, "ms", 2)} | IAM user ${fmt(u, "ms", 2)} | user − root p50 ${((u.p50 - r.p50) * 1000).toFixed(0)} µs`,
      );
    }
  });
}
