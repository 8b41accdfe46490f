import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

type Creds = Record<string, Record<string, string>>;

/** Spawns the CLI and resolves with the first stdout line, plus accessors for everything printed. */
async function spawnSandbox(args: string[]) {
  const child = spawn(process.execPath, [bin, "sandbox", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf("\n");
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before printing: ${stderr}`)));
  });
  return { child, firstLine, stdout: () => stdout, stderr: () => stderr };
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("profileflow sandbox", () => {
  it("--json prints exactly one JSON object once all listen, every sandbox answers, SIGTERM stops it", async () => {
    const run = await spawnSandbox(["--json", "--people", "50"]);
    const creds = JSON.parse(run.firstLine) as Creds;
    const required: Record<string, string[]> = {
      salesforce: ["instanceUrl", "clientId", "clientSecret", "refreshToken", "accessToken"],
      servicenow: ["instanceUrl", "username", "password"],
      marketo: ["instanceUrl", "clientId", "clientSecret"],
      zendesk: ["instanceUrl", "email", "apiToken", "clientId", "clientSecret", "accessToken"],
    };
    for (const [vendor, members] of Object.entries(required)) {
      for (const m of members) expect(typeof creds[vendor]?.[m], `${vendor}.${m}`).toBe("string");
    }

    const sf = creds.salesforce!;
    const q = encodeURIComponent("SELECT Id FROM Contact LIMIT 1");
    const sfRes = await fetch(`${sf.instanceUrl}/services/data/v60.0/query?q=${q}`, {
      headers: { authorization: `Bearer ${sf.accessToken}` },
    });
    expect(sfRes.status).toBe(200);
    expect(((await sfRes.json()) as { records: unknown[] }).records).toHaveLength(1);

    const sn = creds.servicenow!;
    const snRes = await fetch(`${sn.instanceUrl}/api/now/table/sys_user?sysparm_limit=1`, {
      headers: { authorization: basic(sn.username!, sn.password!), accept: "application/json" },
    });
    expect(snRes.status).toBe(200);
    expect(((await snRes.json()) as { result: unknown[] }).result).toHaveLength(1);

    const mk = creds.marketo!;
    const tokenRes = await fetch(
      `${mk.instanceUrl}/identity/oauth/token?grant_type=client_credentials&client_id=${mk.clientId}&client_secret=${mk.clientSecret}`,
    );
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const mkRes = await fetch(`${mk.instanceUrl}/rest/v1/leads/describe.json`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(((await mkRes.json()) as { success: boolean }).success).toBe(true);

    const zd = creds.zendesk!;
    const zdRes = await fetch(`${zd.instanceUrl}/api/v2/users/me.json`, {
      headers: { authorization: basic(`${zd.email}/token`, zd.apiToken!) },
    });
    expect(zdRes.status).toBe(200);

    const knobs = (await (await fetch(`${mk.instanceUrl}/__sandbox/knobs`)).json()) as {
      errorRate: Record<string, number>;
      latencyMs: number;
    };
    expect(knobs.latencyMs).toBe(0);
    expect(Object.values(knobs.errorRate).every((x) => x === 0)).toBe(true);

    run.child.kill("SIGTERM");
    const [code] = await once(run.child, "exit");
    expect(code).toBe(0);
    expect(run.stdout().trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr()).toContain("listening");
  });

  it("without --json prints a readable table with every vendor's URL and admin path", async () => {
    const run = await spawnSandbox(["--people", "20", "--seed", "4"]);
    // The table is one write, but a pipe may deliver it in chunks: wait for its last block.
    while (!/zendesk\n(.*\n)*\s+admin\s/.test(run.stdout())) await once(run.child.stdout!, "data");
    const out = run.stdout();
    for (const vendor of ["salesforce", "servicenow", "marketo", "zendesk"])
      expect(out).toContain(`${vendor}\n`);
    expect(out).toMatch(/instanceUrl\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/admin\s+http:\/\/127\.0\.0\.1:\d+\/__sandbox\//);
    run.child.kill("SIGINT");
    const [code] = await once(run.child, "exit");
    expect(code).toBe(0);
  });

  it("refuses a malformed flag with a non-zero exit and nothing on stdout", async () => {
    const child = spawn(process.execPath, [bin, "sandbox", "--people", "many"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain("people must be an integer");
  });
});
