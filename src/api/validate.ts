import type { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";

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
