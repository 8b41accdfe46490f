import { randomBytes, randomUUID } from "node:crypto";

/** A 32-character lower-case hex id, the shape Customer Profiles uses for ProfileId and WorkflowId. */
export function hexId(): string {
  return randomBytes(16).toString("hex");
}

/** A random UUID, used for request ids and execution ids. */
export function uuid(): string {
  return randomUUID();
}
