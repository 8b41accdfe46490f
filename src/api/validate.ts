import type { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";
import { DEFAULT_LIST_CAP, DOCUMENTED_LIST_CAPS } from "./documented-limits.ts";
import { type LimitShape, MODEL_LIMITS } from "./model-limits.ts";
import type { ServiceName } from "./operation.ts";

/**
 * Parses an operation's input with a zod schema; the first failure becomes VALIDATION_FAILED naming
 * the exact member path (e.g. `Fields.Email.ContentType`), so the caller knows what to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, member0 = ""): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [member0, ...issue.path.map(String)].filter(Boolean).join(".");
  let member = path;
  let detail = issue.message;
  if (issue.code === "unrecognized_keys") {
    member = [path, issue.keys[0]].filter(Boolean).join(".");
    detail = "is not a member of this operation's input";
  } else if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) {
    detail = "is required";
  }
  throw new ProfileflowError(
    "VALIDATION_FAILED",
    `1 validation error detected: ${member || "input"} ${detail}`,
    {
      member,
    },
  );
}

/**
 * Refuses an operation's input that breaks a length, size or range limit of AWS's model (string and
 * blob lengths, list and map sizes, number ranges; src/api/model-limits.ts), or one of our documented
 * caps where the model has no maximum (src/api/documented-limits.ts). Runs before the handler parses
 * the input: a list is measured before any of its members is looked at, so an oversized one costs
 * nothing. Members of the wrong JSON type are left to the operation's own schema.
 */
export function checkModelLimits(
  service: ServiceName,
  operation: string,
  body: unknown,
  query: Record<string, string | string[] | undefined> = {},
): void {
  // IAM and STS (query protocol) have no generated limits: their handlers check their members.
  const limits = MODEL_LIMITS[service as keyof typeof MODEL_LIMITS];
  const op = limits?.operations[operation];
  if (!op) return;
  const walker = new LimitWalker(limits.shapes, DOCUMENTED_LIST_CAPS[service]);
  for (const [wireName, [member, shape]] of Object.entries(op.query ?? {})) {
    const raw = query[wireName];
    const text = Array.isArray(raw) ? raw.at(-1) : raw;
    if (text === undefined) continue;
    const type = limits.shapes[shape]?.type;
    walker.check(shape, type === "number" && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text, member);
  }
  if (op.input) walker.check(op.input, body, "");
}

class LimitWalker {
  constructor(
    private readonly shapes: Record<string, LimitShape>,
    private readonly caps: Readonly<Record<string, number>>,
  ) {}

  check(name: string, value: unknown, path: string): void {
    const shape = this.shapes[name];
    if (!shape || value === null || value === undefined) return;
    const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
    switch (shape.type) {
      case "structure":
        if (!isObject(value)) return;
        for (const [member, memberShape] of Object.entries(shape.members)) {
          if (Object.hasOwn(value, member)) this.check(memberShape, value[member], at(member));
        }
        return;
      case "list":
        if (!Array.isArray(value)) return;
        this.#size(name, shape, value.length, path, "members");
        if (shape.member) for (let i = 0; i < value.length; i++) this.check(shape.member, value[i], at(i));
        return;
      case "map": {
        if (!isObject(value)) return;
        const keys = Object.keys(value);
        this.#size(name, shape, keys.length, path, "entries");
        const keyShape = shape.key === undefined ? undefined : this.shapes[shape.key];
        for (const key of keys) {
          // A key is named by its map, not by itself: it may be the very text that is too long.
          if (keyShape?.type === "string") this.#range(keyShape, key, path, true);
          if (shape.value) this.check(shape.value, value[key], at(key));
        }
        return;
      }
      case "string":
      case "blob":
        if (typeof value === "string") this.#range(shape, value, path);
        return;
      case "number":
        if (typeof value !== "number") return;
        if (shape.min !== undefined && value < shape.min) refuse(path, `must be at least ${shape.min}`);
        if (shape.max !== undefined && value > shape.max) refuse(path, `must be at most ${shape.max}`);
    }
  }

  #size(name: string, shape: { min?: number; max?: number }, n: number, path: string, unit: string): void {
    if (shape.min !== undefined && n < shape.min) {
      refuse(path, `must have at least ${shape.min} ${unit} (has ${n})`);
    }
    const max = shape.max ?? this.caps[name] ?? DEFAULT_LIST_CAP;
    if (n > max) {
      const whose = shape.max === undefined ? " (a profileflow limit: AWS's model sets none)" : "";
      refuse(path, `must have at most ${max} ${unit} (has ${n})${whose}`);
    }
  }

  #range(shape: LimitShape, value: string, path: string, isKey = false): void {
    if (shape.type !== "string" && shape.type !== "blob") return;
    // UTF-16 code units, as the operations' own schemas (zod) and Java-based services count them.
    const [n, unit] =
      shape.type === "blob" ? [Buffer.byteLength(value, "base64"), "bytes"] : [value.length, "characters"];
    const be = isKey ? "must have keys" : "must be";
    if (shape.max !== undefined && n > shape.max) {
      refuse(path, `${be} at most ${shape.max} ${unit} long (${isKey ? "one" : "it"} is ${n})`);
    }
    if (shape.min !== undefined && n < shape.min) refuse(path, `${be} at least ${shape.min} ${unit} long`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refuse(member: string, detail: string): never {
  throw new ProfileflowError(
    "VALIDATION_FAILED",
    `1 validation error detected: ${member || "input"} ${detail}`,
    { member },
  );
}

const NUL = "\u0000";

/**
 * Refuses U+0000 (NUL) anywhere in an operation's input: any string of the JSON body (values and
 * object keys, at any depth), of the query string and of the path, naming the member that holds it
 * (`Values.0`, `Uri`, `WorkflowId`; for a map key, the map). PostgreSQL's text cannot hold it, so
 * without this rule such a request failed with a 500 there and was stored on SQLite: one rule on both.
 * `rawBody` lets a body without a NUL byte or a `\u0000` escape skip the walk. The walk is iterative:
 * a deeply nested body cannot overflow the stack.
 */
export function checkNoNul(
  service: ServiceName,
  operation: string,
  params: Record<string, string | undefined>,
  query: Record<string, string | string[] | undefined>,
  body: unknown,
  rawBody?: Buffer,
): void {
  for (const [name, value] of Object.entries(params)) {
    if (value?.includes(NUL)) refuseNul(name);
  }
  const queryMembers = MODEL_LIMITS[service as keyof typeof MODEL_LIMITS]?.operations[operation]?.query ?? {};
  for (const [wireName, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw];
    const member = queryMembers[wireName]?.[0] ?? wireName;
    if (wireName.includes(NUL)) refuseNul("query string");
    if (values.some((v) => v?.includes(NUL))) refuseNul(member);
  }
  if (rawBody && !rawBody.includes(0) && !rawBody.includes("\\u0000")) return;
  // Each entry: a value, its parent entry and its key there, so a path is only built for a refusal.
  interface At {
    value: unknown;
    parent: At | undefined;
    key: string | number;
  }
  const stack: At[] = [{ value: body, parent: undefined, key: "" }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const value = at.value;
    if (typeof value === "string") {
      if (value.includes(NUL)) refuseNul(pathOf(at));
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: at, key: i });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        // A key is named by its object, as a too-long map key is.
        if (key.includes(NUL)) refuseNul(pathOf(at), "must not have a key containing U+0000 (NUL)");
        stack.push({ value: value[key], parent: at, key });
      }
    }
  }
}

function pathOf(at: { parent: unknown; key: string | number }): string {
  const parts: (string | number)[] = [];
  for (let a = at as { parent: unknown; key: string | number } | undefined; a?.parent; ) {
    parts.push(a.key);
    a = a.parent as typeof a;
  }
  return parts.reverse().join(".");
}

function refuseNul(member: string, detail = "must not contain U+0000 (NUL)"): never {
  refuse(member, detail);
}
