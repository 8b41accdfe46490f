import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ProfileflowError } from "../../core/errors.ts";

/** `PFK` + format version 1: the first bytes of every ciphertext blob this server makes. */
const MAGIC = Buffer.from([0x50, 0x46, 0x4b, 0x01]);
const KEY_ID_BYTES = 36;
const HEADER = MAGIC.length + KEY_ID_BYTES;
const IV = 12;
const TAG = 16;

/** An encryption context: string pairs bound to a ciphertext as AES-GCM additional authenticated data. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * A ciphertext blob names the KMS key that made it (as AWS's do), so Decrypt needs no KeyId:
 * `PFK\x01 | key id (36 ASCII bytes) | iv (12) | GCM tag (16) | ciphertext`. The key id and the
 * encryption context (canonical: sorted by key) are its additional authenticated data.
 */
export function sealBlob(
  keyId: string,
  material: Buffer,
  plaintext: Buffer,
  context: EncryptionContext = {},
): Buffer {
  const id = Buffer.from(keyId, "ascii");
  if (id.length !== KEY_ID_BYTES) throw new Error(`a KMS key id has ${KEY_ID_BYTES} characters`);
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", material, iv);
  cipher.setAAD(additionalData(id, context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, id, iv, cipher.getAuthTag(), body]);
}

/** The key id a blob names; KMS_INVALID_CIPHERTEXT when it is not a blob of ours. */
export function blobKeyId(blob: Buffer): string {
  if (blob.length < HEADER + IV + TAG || !blob.subarray(0, MAGIC.length).equals(MAGIC))
    throw invalidCiphertext();
  const id = blob.subarray(MAGIC.length, HEADER).toString("ascii");
  if (!/^[0-9a-f-]{36}$/.test(id)) throw invalidCiphertext();
  return id;
}

/** Decrypts a blob with its key's material; KMS_INVALID_CIPHERTEXT when it was changed or the context differs. */
export function openBlob(blob: Buffer, material: Buffer, context: EncryptionContext = {}): Buffer {
  const id = Buffer.from(blobKeyId(blob), "ascii");
  const iv = blob.subarray(HEADER, HEADER + IV);
  const tag = blob.subarray(HEADER + IV, HEADER + IV + TAG);
  try {
    const decipher = createDecipheriv("aes-256-gcm", material, iv);
    decipher.setAAD(additionalData(id, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(HEADER + IV + TAG)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

function additionalData(keyId: Buffer, context: EncryptionContext): Buffer {
  const pairs = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.concat([keyId, Buffer.from(JSON.stringify(pairs), "utf8")]);
}

function invalidCiphertext(): ProfileflowError {
  return new ProfileflowError(
    "KMS_INVALID_CIPHERTEXT",
    "The ciphertext is not valid: it was not made by this KMS, was changed, or its encryption context differs.",
  );
}
