/**
 * Writes src/api/model-limits.ts: for every operation of the three services we speak, the length, size
 * and range limits of its input members, taken from botocore's service-2.json models (the same models
 * the AWS CLI validates with). Run: `npx tsx scripts/model-limits.ts <botocore's data dir>`, then
 * `npx biome format --write src/api/model-limits.ts`. The data dir is `botocore/data` of a botocore
 * release (a source checkout, or its wheel from `pip download --no-deps botocore` unzipped: models may
 * be `.json.gz` there), or Debian's awscli copy `/usr/lib/python3/dist-packages/awscli/botocore/data`,
 * which is older: it lacks operations we serve (BatchGetProfile among them). Use the newest you have.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

interface Ref {
  shape: string;
  location?: string;
  locationName?: string;
}
interface Shape {
  type: string;
  min?: number;
  max?: number;
  members?: Record<string, Ref>;
  member?: Ref;
  key?: Ref;
  value?: Ref;
  payload?: string;
}
interface Model {
  metadata: { apiVersion: string };
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

const SERVICES = [
  ["profile", "customer-profiles"],
  ["appflow", "appflow"],
  ["secretsmanager", "secretsmanager"],
] as const;
const NUMERIC = new Set(["integer", "long", "double", "float"]);

const dataDir = process.argv[2] ?? "";
if (!dataDir) {
  console.error("usage: npx tsx scripts/model-limits.ts <botocore data dir>");
  process.exit(2);
}
const out = join(import.meta.dirname, "..", "src", "api", "model-limits.ts");

function loadModel(service: string): Model {
  const dir = join(dataDir, service);
  const file = join(dir, readdirSync(dir).sort().at(-1)!, "service-2.json");
  const text = existsSync(file)
    ? readFileSync(file, "utf8")
    : gunzipSync(readFileSync(`${file}.gz`)).toString("utf8");
  return JSON.parse(text) as Model;
}

function botocoreVersion(): string {
  const init = join(dirname(dataDir), "__init__.py");
  const m = existsSync(init) ? /__version__ = '([^']+)'/.exec(readFileSync(init, "utf8")) : null;
  return m ? `botocore ${m[1]}` : `the models in ${dataDir}`;
}

/** The limits of one service: shapes reduced to what carries a limit or leads to one. */
function limitsOf(model: Model): { operations: string[]; shapes: string[] } {
  const kept = new Map<string, string>();
  const visiting = new Set<string>();
  // Lists and maps are always kept: where the model gives no maximum, a documented cap applies.
  const keep = (name: string): boolean => {
    if (kept.has(name)) return true;
    if (visiting.has(name)) return true; // a recursive shape: kept if anything on its cycle is
    const s = model.shapes[name]!;
    const range = [
      s.min === undefined ? "" : `min: ${s.min}`,
      s.max === undefined ? "" : `max: ${s.max}`,
    ].filter(Boolean);
    visiting.add(name);
    let line: string | undefined;
    if ((s.type === "string" || s.type === "blob") && range.length > 0) {
      line = `{ type: "${s.type}", ${range.join(", ")} }`;
    } else if (NUMERIC.has(s.type) && range.length > 0) {
      line = `{ type: "number", ${range.join(", ")} }`;
    } else if (s.type === "list") {
      const member = keep(s.member!.shape) ? `, member: "${s.member!.shape}"` : "";
      line = `{ type: "list"${range.map((r) => `, ${r}`).join("")}${member} }`;
    } else if (s.type === "map") {
      const key = keep(s.key!.shape) ? `, key: "${s.key!.shape}"` : "";
      const value = keep(s.value!.shape) ? `, value: "${s.value!.shape}"` : "";
      line = `{ type: "map"${range.map((r) => `, ${r}`).join("")}${key}${value} }`;
    } else if (s.type === "structure") {
      const members = Object.entries(s.members ?? {}).filter(([, r]) => !r.location && keep(r.shape));
      if (members.length > 0) {
        line = `{ type: "structure", members: { ${members.map(([m, r]) => `${m}: "${r.shape}"`).join(", ")} } }`;
      }
    }
    visiting.delete(name);
    if (line === undefined) return false;
    kept.set(name, line);
    return true;
  };
  const operations: string[] = [];
  for (const [name, op] of Object.entries(model.operations).sort(([a], [b]) => a.localeCompare(b))) {
    if (!op.input) continue;
    const input = model.shapes[op.input.shape]!;
    const bodyShape = input.payload ? input.members![input.payload]!.shape : op.input.shape;
    const query = Object.entries(input.members ?? {}).filter(
      ([, r]) => r.location === "querystring" && keep(r.shape),
    );
    const parts = [keep(bodyShape) ? `input: "${bodyShape}"` : ""];
    if (query.length > 0) {
      const members = query.map(([m, r]) => `"${r.locationName}": ["${m}", "${r.shape}"]`);
      parts.push(`query: { ${members.join(", ")} }`);
    }
    if (parts.some(Boolean)) operations.push(`${name}: { ${parts.filter(Boolean).join(", ")} },`);
  }
  const shapes = [...kept].sort(([a], [b]) => a.localeCompare(b)).map(([n, l]) => `${n}: ${l},`);
  return { operations, shapes };
}

const lines = [
  `// Generated by scripts/model-limits.ts from ${botocoreVersion()}'s service-2.json models. Do not edit:`,
  "// run the script again. Caps where the model gives none are in src/api/documented-limits.ts.",
  "",
  "/** A shape that carries a limit or leads to one (string and blob lengths, list and map sizes, ranges). */",
  "export type LimitShape =",
  '  | { type: "string" | "blob" | "number"; min?: number; max?: number }',
  '  | { type: "list"; min?: number; max?: number; member?: string }',
  '  | { type: "map"; min?: number; max?: number; key?: string; value?: string }',
  '  | { type: "structure"; members: Record<string, string> };',
  "",
  "/** One service: per operation its body's shape, and its query-string members: wire name → [member, shape]. */",
  "export interface ServiceLimits {",
  "  apiVersion: string;",
  "  operations: Record<string, { input?: string; query?: Record<string, readonly [string, string]> }>;",
  "  shapes: Record<string, LimitShape>;",
  "}",
  "",
  'export const MODEL_LIMITS: Record<"profile" | "appflow" | "secretsmanager", ServiceLimits> = {',
];
for (const [service, folder] of SERVICES) {
  const model = loadModel(folder);
  const { operations, shapes } = limitsOf(model);
  lines.push(`  ${service}: {`, `    apiVersion: "${model.metadata.apiVersion}",`, "    operations: {");
  lines.push(...operations.map((l) => `      ${l}`), "    },", "    shapes: {");
  lines.push(...shapes.map((l) => `      ${l}`), "    },", "  },");
}
lines.push("};", "");
writeFileSync(out, lines.join("\n"));
console.log(`wrote ${out}`);
