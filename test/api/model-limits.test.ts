import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIST_CAP } from "../../src/api/documented-limits.ts";
import { MODEL_LIMITS } from "../../src/api/model-limits.ts";
import { checkModelLimits } from "../../src/api/validate.ts";
import { ProfileflowError } from "../../src/core/errors.ts";
import { loadBotocoreModel, skipWithoutBotocore } from "../helpers/botocore-model.ts";

/** The refusal of one input: its code, member and message; undefined when accepted. */
function refusal(...args: Parameters<typeof checkModelLimits>) {
  try {
    checkModelLimits(...args);
    return undefined;
  } catch (e) {
    if (!(e instanceof ProfileflowError)) throw e;
    return { code: e.code, member: e.details?.["member"], message: e.message };
  }
}

const many = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

describe("checkModelLimits", () => {
  it("takes AWS's modelled limits: lengths, list sizes, map sizes and ranges, naming the member", () => {
    expect(refusal("profile", "BatchGetProfile", { ProfileIds: many(21) })).toEqual({
      code: "VALIDATION_FAILED",
      member: "ProfileIds",
      message: "1 validation error detected: ProfileIds must have at most 20 members (has 21)",
    });
    expect(refusal("profile", "BatchGetProfile", { ProfileIds: [] })?.message).toContain(
      "ProfileIds must have at least 1 members (has 0)",
    );
    expect(refusal("profile", "SearchProfiles", { Values: ["a", "b", "", "d"] })?.member).toBe("Values.2");
    expect(
      refusal("profile", "PutProfileObjectType", { ExpirationDays: 1099, Description: "d" })?.message,
    ).toContain("ExpirationDays must be at most 1098");
    expect(refusal("appflow", "CreateFlow", { flowName: "f".repeat(257) })?.member).toBe("flowName");
    expect(refusal("secretsmanager", "CreateSecret", { SecretString: "s".repeat(65_537) })?.member).toBe(
      "SecretString",
    );
  });

  it("checks query-string members under their member names", () => {
    expect(refusal("profile", "ListDomains", {}, { "max-results": "101" })?.member).toBe("MaxResults");
    expect(refusal("profile", "ListDomains", {}, { "max-results": ["5", "0"] })?.member).toBe("MaxResults");
    expect(refusal("profile", "ListDomains", {}, { "max-results": "100" })).toBeUndefined();
  });

  it("caps every list and map AWS leaves unbounded, saying the limit is ours", () => {
    const values = refusal("profile", "AddProfileKey", { Values: many(101) });
    expect(values?.member).toBe("Values");
    expect(values?.message).toContain("at most 100 members (has 101) (a profileflow limit");
    expect(refusal("profile", "AddProfileKey", { Values: many(100) })).toBeUndefined();
    const tasks = Array.from({ length: DEFAULT_LIST_CAP + 1 }, () => ({ taskType: "Map" }));
    expect(refusal("appflow", "CreateFlow", { tasks })?.member).toBe("tasks");
    expect(refusal("secretsmanager", "TagResource", { Tags: many(51).map((Key) => ({ Key })) })?.member).toBe(
      "Tags",
    );
  });

  it("names nested members by their path and map keys by their map", () => {
    const nested = refusal("profile", "SearchProfiles", {
      Values: ["a"],
      AdditionalSearchKeys: [
        { KeyName: "k", Values: ["b"] },
        { KeyName: "k", Values: many(101) },
      ],
    });
    expect(nested?.member).toBe("AdditionalSearchKeys.1.Values");
    const key = refusal("profile", "CreateProfile", { Attributes: { ["k".repeat(300)]: "v" } });
    expect(key).toMatchObject({ member: "Attributes" });
    expect(key?.message).toContain("must have keys at most 255 characters long (one is 300)");
    expect(refusal("profile", "CreateProfile", { Attributes: { k: "v".repeat(256) } })?.member).toBe(
      "Attributes.k",
    );
  });

  it("leaves wrong JSON types to the operation's schema and operations AWS lacks alone", () => {
    expect(refusal("profile", "SearchProfiles", { Values: "not a list", KeyName: 7 })).toBeUndefined();
    expect(refusal("profile", "SearchProfiles", [1, 2, 3])).toBeUndefined();
    expect(refusal("profile", "ListDeadLetters", { Values: many(5000) })).toBeUndefined();
  });

  it("has a finite maximum for every list and map of every operation input", () => {
    for (const [service, limits] of Object.entries(MODEL_LIMITS)) {
      for (const [name, shape] of Object.entries(limits.shapes)) {
        if (shape.type !== "list" && shape.type !== "map") continue;
        const input =
          shape.type === "list"
            ? many(DEFAULT_LIST_CAP + 1)
            : Object.fromEntries(many(DEFAULT_LIST_CAP + 1).map((k) => [k, "v"]));
        // Reach the shape through any operation whose input holds it directly.
        for (const [operation, op] of Object.entries(limits.operations)) {
          const top = op.input ? limits.shapes[op.input] : undefined;
          if (top?.type !== "structure") continue;
          const member = Object.entries(top.members).find(([, s]) => s === name)?.[0];
          if (!member) continue;
          const why = refusal(service as "profile", operation, { [member]: input });
          expect(why?.member, `${service} ${operation}.${member}`).toBe(member);
        }
      }
    }
  });

  it("holds every limit of the installed botocore model (Debian's awscli), as generated from a newer one", () => {
    // Where botocore 1.43.67 (the source of model-limits.ts) changed a limit since Debian's copy, by the
    // member's own name: AppFlow's OAuth refresh tokens and auth codes went from 2,048 to 4,096
    // characters; a secret's value may no longer be empty.
    const changedSince: Record<string, { min?: number; max?: number }> = {
      "appflow refreshToken": { max: 4096 },
      "appflow authCode": { max: 4096 },
      "secretsmanager SecretString": { min: 1 },
      "secretsmanager SecretBinary": { min: 1 },
    };
    const folders = { profile: "customer-profiles", appflow: "appflow", secretsmanager: "secretsmanager" };
    const models = Object.entries(folders).map(
      ([s, f]) => [s as keyof typeof MODEL_LIMITS, loadBotocoreModel(f)] as const,
    );
    if (skipWithoutBotocore(...models.map(([, m]) => m))) return;
    type Ref = { shape: string; location?: string };
    type Theirs = {
      type: string;
      min?: number;
      max?: number;
      members?: Record<string, Ref>;
      member?: Ref;
      value?: Ref;
    };
    const limited = new Set(["string", "blob", "list", "map", "integer", "long", "double", "float"]);
    const problems: string[] = [];
    let compared = 0;
    for (const [service, model] of models) {
      const theirs = model!.shapes as Record<string, Theirs>;
      const ours = MODEL_LIMITS[service];
      // Walks their shape and ours side by side, by member name: shape names change between versions.
      const walk = (their: string, mine: string | undefined, path: string, depth: number) => {
        const t = theirs[their]!;
        const m = mine === undefined ? undefined : ours.shapes[mine];
        if (depth > 12) return;
        if (limited.has(t.type) && (t.min !== undefined || t.max !== undefined)) {
          const expected = {
            min: t.min,
            max: t.max,
            ...changedSince[`${service} ${path.split(".").at(-1)}`],
          };
          const got =
            m && m.type !== "structure" ? { min: m.min, max: m.max } : { min: undefined, max: undefined };
          if (got.min !== expected.min || got.max !== expected.max) {
            problems.push(
              `${service} ${path}: ${JSON.stringify(got)} where the model says ${JSON.stringify(expected)}`,
            );
          }
          compared++;
        }
        if (t.type === "structure") {
          for (const [name, ref] of Object.entries(t.members ?? {})) {
            if (ref.location) continue;
            walk(
              ref.shape,
              m?.type === "structure" ? m.members[name] : undefined,
              `${path}.${name}`,
              depth + 1,
            );
          }
        } else if (t.type === "list" && t.member) {
          walk(t.member.shape, m?.type === "list" ? m.member : undefined, `${path}[]`, depth + 1);
        } else if (t.type === "map" && t.value) {
          walk(t.value.shape, m?.type === "map" ? m.value : undefined, `${path}{}`, depth + 1);
        }
      };
      for (const [name, op] of Object.entries(model!.operations) as [
        string,
        { input?: { shape: string } },
      ][]) {
        if (op.input) walk(op.input.shape, ours.operations[name]?.input, name, 0);
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });

  it("answers any JSON input of any operation with acceptance or VALIDATION_FAILED, nothing else", () => {
    const operations = Object.entries(MODEL_LIMITS).flatMap(([service, l]) =>
      Object.keys(l.operations).map((op) => [service as keyof typeof MODEL_LIMITS, op] as const),
    );
    const query = fc.dictionary(
      fc.constantFrom("max-results", "next-token", "training-metrics-count", "x"),
      fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    );
    // Bodies shaped like the model (members by name, lists and maps of its members) with any leaves.
    const shaped = (
      service: keyof typeof MODEL_LIMITS,
      name: string | undefined,
      depth: number,
    ): fc.Arbitrary<unknown> => {
      const shape = name === undefined ? undefined : MODEL_LIMITS[service].shapes[name];
      if (!shape || depth > 5) return fc.jsonValue({ maxDepth: 2 });
      const inner = (n: string | undefined) => shaped(service, n, depth + 1);
      switch (shape.type) {
        case "structure":
          return fc.record(Object.fromEntries(Object.entries(shape.members).map(([m, n]) => [m, inner(n)])), {
            requiredKeys: [],
          });
        case "list":
          return fc.oneof(fc.array(inner(shape.member), { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }));
        case "map":
          return fc.dictionary(fc.string({ maxLength: 300 }), inner(shape.value), { maxKeys: 4 });
        case "number":
          return fc.oneof(fc.integer(), fc.double(), fc.string());
        default:
          return fc.oneof(fc.string({ maxLength: 300, unit: "binary" }), fc.jsonValue({ maxDepth: 1 }));
      }
    };
    const cases = fc
      .constantFrom(...operations)
      .chain(([service, op]) =>
        fc.tuple(
          fc.constant([service, op] as const),
          shaped(service, MODEL_LIMITS[service].operations[op]?.input, 0),
        ),
      );
    let refused = 0;
    fc.assert(
      fc.property(cases, query, ([[service, op], body], q) => {
        const why = refusal(service, op, body, q);
        if (why) {
          expect(why.code).toBe("VALIDATION_FAILED");
          refused++;
        }
      }),
      { numRuns: 3000 },
    );
    expect(refused).toBeGreaterThan(0);
  });
});
