import type { Queryable } from "../../db/queryable.ts";
import type { DomainKeys } from "./domain-keys.ts";
import type { KmsService } from "./kms-service.ts";

const PREFIX = "kms1.";

/** Small secrets encrypted directly under a KMS key: `kms1.<base64 ciphertext blob>` (the blob names its key). */
export class KmsSealer {
  constructor(
    private readonly kms: KmsService,
    private readonly domainKeys: DomainKeys,
  ) {}

  async checkKeyIn(q: Queryable, keyId: string, member: string): Promise<void> {
    await this.domainKeys.checkIn(q, keyId, member);
  }

  async sealIn(
    q: Queryable,
    keyId: string,
    plaintext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const { blob } = await this.kms.encryptIn(q, keyId, Buffer.from(plaintext, "utf8"), context);
    return `${PREFIX}${blob.toString("base64")}`;
  }

  isKeyed(sealed: string): boolean {
    return sealed.startsWith(PREFIX);
  }

  async openIn(q: Queryable, sealed: string, context: Record<string, string>): Promise<string> {
    const blob = Buffer.from(sealed.slice(PREFIX.length), "base64");
    return (await this.kms.decryptIn(q, blob, context)).plaintext.toString("utf8");
  }
}
