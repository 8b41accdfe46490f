import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

export const exec = promisify(execFile);

/** Debian's AWS CLI (v2, with its bundled botocore); CI installs it (`apt-get install awscli`). */
export const debianAws = "/usr/bin/aws";
const python = "/usr/bin/python3";

const required = process.env["PROFILEFLOW_TEST_REQUIRE_AWSCLI"] === "1";

/**
 * Whether the AWS CLI tests can run here: true when /usr/bin/aws is installed; otherwise a one-line
 * hint and false (skip), or a failure when PROFILEFLOW_TEST_REQUIRE_AWSCLI=1 (CI).
 */
export function awsCliAvailable(what: string): boolean {
  if (existsSync(debianAws) && existsSync(python)) return true;
  const message = `${what}: ${debianAws} not found — apt-get install awscli (CI sets PROFILEFLOW_TEST_REQUIRE_AWSCLI=1 and installs it)`;
  if (required) throw new Error(message);
  console.warn(`skipped — ${message}`);
  return false;
}

/** The `aws` commands to test: Debian's, and the one first on PATH when it is a different program (e.g. a pyenv v1). */
export function awsBinaries(): string[] {
  const found = [debianAws];
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    const candidate = join(dir, "aws");
    if (!dir || !existsSync(candidate)) continue;
    if (realpathSync(candidate) !== realpathSync(debianAws)) found.push(candidate);
    break;
  }
  return found;
}

/** An environment for the AWS CLI that reads no user configuration: only what the test gives it. */
export function isolatedAwsEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: "/nonexistent/profileflow-test-aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/profileflow-test-aws-credentials",
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

/** Runs Debian's python3 (with the awscli-bundled botocore) on a script, JSON in and out. */
export async function runBotocore(script: string, input: unknown): Promise<unknown> {
  const child = exec(python, [script], { env: isolatedAwsEnv({}), maxBuffer: 16 * 1024 * 1024 });
  child.child.stdin?.end(JSON.stringify(input));
  const { stdout } = await child;
  return JSON.parse(stdout);
}
