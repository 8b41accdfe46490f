import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import {
  CreateDomainCommand,
  GetDomainCommand,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
  ListIntegrationsCommand,
  ListWorkflowsCommand,
} from "@aws-sdk/client-customer-profiles";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiClients, apiClients, integrate, Prompter } from "../../src/cli/commands/integrate.ts";
import { printStatus } from "../../src/cli/commands/status.ts";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { fillWorkflowRolePolicy } from "../../src/security/iam/workflow-role-policy.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** Collects what a command writes. */
function sink(): NodeJS.WritableStream & { text: () => string } {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return Object.assign(s, { text: () => Buffer.concat(chunks).toString("utf8") });
}

/** The role `integrate` created: trusts profile.amazonaws.com, holds the seed's policy for cli-d's key. */
async function expectWorkflowRole(name: string): Promise<void> {
  const iam = new IAMClient({ endpoint: t.endpoint, region: "us-east-1", credentials: t.credentials });
  try {
    const role = await iam.send(new GetRoleCommand({ RoleName: name }));
    const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: name, PolicyName: "CustomerProfilesWorkflowLeastPrivilege" }),
    );
    const key = (await t.profiles.send(new GetDomainCommand({ DomainName: "cli-d" }))).DefaultEncryptionKey!;
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(
      JSON.parse(fillWorkflowRolePolicy(key, "us-east-1")),
    );
  } finally {
    iam.destroy();
  }
}

let t: TestServer;
let sb: ServiceNowSandbox;
let dir: string;
let api: ApiClients;

beforeAll(async () => {
  sb = await startServiceNowSandbox({ seed: 5, people: 30 });
  t = await startTestServer("sqlite");
  dir = mkdtempSync(join(tmpdir(), "pf-cli-"));
  writeFileSync(
    join(dir, "credentials"),
    `[profileflow]\naws_access_key_id = ${t.credentials.accessKeyId}\naws_secret_access_key = ${t.credentials.secretAccessKey}\n`,
  );
  api = apiClients({ endpoint: t.endpoint, data: dir });
  await t.profiles.send(new CreateDomainCommand({ DomainName: "cli-d", DefaultExpirationDays: 90 }));
});
afterAll(async () => {
  api?.close();
  await t?.close();
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("integrate with flags: a new connection, two objects on their templates, 30 days back → continuous integrations", async () => {
  const out = sink();
  const result = await integrate(
    api,
    {
      domain: "cli-d",
      source: "servicenow",
      newConnection: "sn-cli",
      instanceUrl: sb.url,
      credential: [`username=${sb.credentials.username}`, `password=${sb.credentials.password}`],
      objects: "sys_user,incident",
      yes: true,
    },
    out,
  );
  expect(result.workflows).toEqual([]);
  expect(result.integrations).toHaveLength(2);
  expect(out.text()).toContain("connection sn-cli: Connected");
  expect(out.text()).toMatch(/connection:\s+sn-cli \(Connected\)/);
  const listed = (await t.profiles.send(new ListIntegrationsCommand({ DomainName: "cli-d" }))).Items ?? [];
  expect(listed.map((i) => i.ObjectTypeName).sort()).toEqual(["Servicenow-incident", "Servicenow-sys_user"]);
  expect(listed.every((i) => i.WorkflowId === undefined)).toBe(true);

  const status = sink();
  await printStatus(api, "cli-d", status);
  expect(status.text()).toContain("→ Servicenow-sys_user");
});

it("integrate in a terminal: prompts, a failed connection test asked again until Connected, 200 days back → a bulk workflow", async () => {
  const input = new PassThrough();
  const out = sink();
  const prompter = new Prompter(input, out);
  const now = Date.now();
  input.write(
    [
      "cli-d", // domain
      "servicenow", // source
      "y", // read the requirements
      "create new connection",
      "sn-prompted",
      sb.url,
      sb.credentials.username,
      "wrong-password", // the connection test fails: asked again
      sb.url,
      sb.credentials.username,
      sb.credentials.password,
      "sys_user", // objects
      "", // object type: the template
      "200d", // start date: more than 60 days back
      "", // role: the default, create a new one
      "", // its name: the domain's default
      "y", // create
      "",
    ].join("\n"),
  );
  const result = await integrate(api, {}, out, prompter, now);
  prompter.close();
  const text = out.text();
  expect(text).toContain("connection test failed");
  expect(text).toContain("connection sn-prompted: Connected");
  expect(text).toContain("more than 60 days back");
  expect(result.integrations).toEqual([]);
  expect(result.workflows).toHaveLength(1);
  // The role was offered and created as the console does: trusted by profile.amazonaws.com, with the
  // seed's least-privilege policy for this domain's key and the region.
  const roleArn = "arn:aws:iam::000000000000:role/CustomerProfilesWorkflow-cli-d";
  expect(text).toContain(`role ${roleArn}: created`);
  await expectWorkflowRole("CustomerProfilesWorkflow-cli-d");
  const id = result.workflows[0]!;
  const wf = await t.profiles.send(new GetWorkflowCommand({ DomainName: "cli-d", WorkflowId: id }));
  expect(wf.Attributes?.AppflowIntegration?.RoleArn).toBe(roleArn);
  expect(wf.Status).not.toBe("FAILED");
  const listed = await t.profiles.send(new ListWorkflowsCommand({ DomainName: "cli-d" }));
  expect(listed.Items?.map((w) => w.WorkflowId)).toContain(id);
  const steps = await t.profiles.send(new GetWorkflowStepsCommand({ DomainName: "cli-d", WorkflowId: id }));
  const firstFrom = Date.parse(steps.Items![0]!.AppflowIntegration!.BatchRecordsStartTime!);
  // FirstExecutionFrom travels in whole seconds; the server plans up to its own now.
  expect(Math.abs(firstFrom - (now - 200 * 86_400_000))).toBeLessThan(1000);
  expect(steps.Items).toHaveLength(planBatches(firstFrom, Date.now()).length);
});

it("integrate with flags, 200 days back: a role is required (--role-arn or --create-role); --create-role creates it", async () => {
  const flags = {
    domain: "cli-d",
    source: "servicenow",
    connection: "sn-cli",
    objects: "sys_user",
    start: "200d",
    yes: true,
  };
  const refused = sink();
  await expect(integrate(api, flags, refused)).rejects.toThrow(
    "A bulk workflow needs a role: give --role-arn <arn> of an existing one, or --create-role <name>",
  );
  const out = sink();
  const result = await integrate(api, { ...flags, createRole: "FlagsRole" }, out);
  expect(out.text()).toContain("role arn:aws:iam::000000000000:role/FlagsRole: created");
  expect(out.text()).toMatch(/role:\s+FlagsRole \(new: trusts profile.amazonaws.com/);
  await expectWorkflowRole("FlagsRole");
  expect(result.workflows).toHaveLength(1);
  const wf = await t.profiles.send(
    new GetWorkflowCommand({ DomainName: "cli-d", WorkflowId: result.workflows[0]! }),
  );
  expect(wf.Attributes?.AppflowIntegration?.RoleArn).toBe("arn:aws:iam::000000000000:role/FlagsRole");
  expect(wf.Status).not.toBe("FAILED");
});
