import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * An IAM unique id with AWS's prefix: `AIDA` users, `AROA` roles, `ANPA` managed policies, `AKIA`
 * access keys, `ASIA` temporary access keys (21 characters; 20 for access key ids).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
export function iamId(prefix: "AIDA" | "AROA" | "ANPA" | "AKIA" | "ASIA"): string {
  const length = prefix === "AKIA" || prefix === "ASIA" ? 16 : 17;
  return prefix + Array.from(randomBytes(length), (b) => ALPHABET[b % 32]).join("");
}

/** A 40-character secret access key. */
export function secretAccessKey(): string {
  return randomBytes(30).toString("base64").replace(/[+/]/g, "x");
}

/** The ARNs of an account's IAM and STS resources. */
export class IamArns {
  constructor(readonly accountId: string) {}

  root(): string {
    return `arn:aws:iam::${this.accountId}:root`;
  }
  user(path: string, name: string): string {
    return `arn:aws:iam::${this.accountId}:user${path}${name}`;
  }
  role(path: string, name: string): string {
    return `arn:aws:iam::${this.accountId}:role${path}${name}`;
  }
  policy(path: string, name: string): string {
    return `arn:aws:iam::${this.accountId}:policy${path}${name}`;
  }
  assumedRole(roleName: string, sessionName: string): string {
    return `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${sessionName}`;
  }
}
