import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's awscli keeps botocore's service models (the AWS CLI validates responses against them). */
const roots = [
  "/usr/lib/python3/dist-packages/awscli/botocore/data",
  "/usr/lib/python3/dist-packages/botocore/data",
];

interface Member {
  shape: string;
  location?: string;
}
interface Shape {
  type: string;
  members?: Record<string, Member>;
  member?: Member;
  key?: Member;
  value?: Member;
  payload?: string;
}
export interface BotocoreModel {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

/** botocore's service-2.json for `service` (e.g. "appflow", "customer-profiles"), or undefined when not installed. */
export function loadBotocoreModel(service: string): BotocoreModel | undefined {
  for (const root of roots) {
    const dir = join(root, service);
    if (!existsSync(dir)) continue;
    const version = readdirSync(dir).sort().at(-1);
    const file = version && join(dir, version, "service-2.json");
    if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as BotocoreModel;
  }
  return undefined;
}

/** True when the models are missing and CI did not ask for them (the caller skips, with a hint printed). */
export function skipWithoutBotocore(...models: (BotocoreModel | undefined)[]): boolean {
  if (models.every(Boolean)) return false;
  if (process.env["PROFILEFLOW_TEST_REQUIRE_AWSCLI"] === "1") {
    throw new Error(
      "botocore's models are missing but PROFILEFLOW_TEST_REQUIRE_AWSCLI=1 (apt-get install awscli)",
    );
  }
  console.warn(
    "botocore models not found: install Debian's awscli (apt-get install awscli) to run this test",
  );
  return true;
}

const numeric = new Set(["integer", "long", "double", "float"]);

/**
 * Every place where `body` (an operation's JSON response) holds a member the model's output shape lacks, or a
 * value of the wrong JSON type: what botocore's parser would drop or choke on. Empty when the body conforms.
 */
export function modelProblems(
  model: BotocoreModel,
  operation: string,
  body: unknown,
  newer: (shape: string, member: string) => boolean = () => false,
): string[] {
  const op = model.operations[operation];
  if (!op) return [`${operation}: not an operation of the model`];
  if (!op.output)
    return body && typeof body === "object" && Object.keys(body).length > 0
      ? [`${operation}: no output in the model`]
      : [];
  const problems: string[] = [];
  let top = op.output.shape;
  const payload = model.shapes[top]!.payload;
  if (payload) top = model.shapes[top]!.members![payload]!.shape;
  walk({ model, problems, newer }, top, body, operation, true);
  return problems;
}

interface Walk {
  model: BotocoreModel;
  problems: string[];
  newer: (shape: string, member: string) => boolean;
}

function walk(w: Walk, name: string, value: unknown, path: string, top = false): void {
  if (value === null || value === undefined) return;
  const { model, problems } = w;
  const shape = model.shapes[name]!;
  const type = Array.isArray(value) ? "array" : typeof value;
  const expect = (ok: boolean) => {
    if (!ok) problems.push(`${path}: ${type} where the model has a ${shape.type}`);
    return ok;
  };
  switch (shape.type) {
    case "structure": {
      if (!expect(type === "object")) return;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const m = shape.members?.[k];
        if (!m || (top && m.location)) {
          // A member added after this botocore was released is fine when the AWS SDK's model has it.
          if (!m && w.newer(name, k)) continue;
          problems.push(`${path}.${k}: not a member of the model's shape`);
          continue;
        }
        walk(w, m.shape, v, `${path}.${k}`);
      }
      return;
    }
    case "list":
      if (!expect(type === "array")) return;
      (value as unknown[]).forEach((v, i) => {
        walk(w, shape.member!.shape, v, `${path}[${i}]`);
      });
      return;
    case "map":
      if (!expect(type === "object")) return;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        walk(w, shape.value!.shape, v, `${path}.${k}`);
      }
      return;
    case "string":
      expect(type === "string");
      return;
    case "boolean":
      expect(type === "boolean");
      return;
    case "timestamp":
      expect(type === "number" || type === "string");
      return;
    case "blob":
      expect(type === "string");
      return;
    default:
      if (numeric.has(shape.type)) expect(type === "number");
  }
}

/**
 * The members the AWS SDK for JavaScript (the version this repo tests with) declares per shape, read from its
 * type declarations: a newer model than Debian's botocore, to tell a member AWS added since from one we invented.
 */
export function sdkMembers(client: string): (shape: string, member: string) => boolean {
  const dir = join(import.meta.dirname, "../../node_modules/@aws-sdk", client, "dist-types/models");
  const members = new Map<string, Set<string>>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".d.ts")) continue;
    const text = readFileSync(join(dir, f), "utf8");
    for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      members.set(m[1]!, new Set([...m[2]!.matchAll(/^ {4}(\w+)\??:/gm)].map((x) => x[1]!)));
    }
  }
  return (shape, member) => members.get(shape)?.has(member) ?? false;
}

/** Whether the AWS SDK for JavaScript has a command for `operation` (an operation newer than botocore's model). */
export function sdkHasOperation(client: string, operation: string): boolean {
  return existsSync(
    join(
      import.meta.dirname,
      "../../node_modules/@aws-sdk",
      client,
      "dist-types/commands",
      `${operation}Command.d.ts`,
    ),
  );
}
