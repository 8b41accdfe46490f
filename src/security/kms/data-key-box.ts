import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
import type { SecretBox } from "../../core/secret-box.ts";
import type { PrefetchedSeals } from "./prefetched-seals.ts";

/** Values sealed bound to their domain and place (the AAD); what is sealed now in places of no shared kind. */
const SEALED = "pfe2.";
/**
 * Values sealed bound to their domain and a kind of document that several places store (the AAD names
 * the kind): what is sealed now in those places, so one sealed value may be stored in each of them.
 */
const SEALED_KIND = "pfe3.";
/** Values sealed before they were bound to their place (no AAD): still opened, never written. */
const SEALED_UNBOUND = "pfe1.";

/**
 * Places that store the same kind of document: a profile's fields and an object's fields are both
 * flattened profile fields, and a profile created from one object has exactly that object's fields, so
 * the batch seals them once and stores the one value in both rows (it tells a reader of the file only
 * that the two rows are equal). A value sealed for a kind opens in every place of that kind and
 * nowhere else.
 */
const KIND_OF_PLACE: Readonly<Record<string, string>> = {
  "profiles.fields": "leaves",
  "profile_objects.fields": "leaves",
};

/** The AAD and prefix a value sealed for `place` of `domainName` carries (its kind's when the place has one). */
export function sealingOf(
  domainName: string,
  place: string,
): { aad: Buffer; placeAad: Buffer; prefix: string } {
  const placeAad = Buffer.from(`profileflow/${domainName}/${place}`, "utf8");
  const kind = KIND_OF_PLACE[place];
  return kind
    ? { aad: Buffer.from(`profileflow/${domainName}/kind:${kind}`, "utf8"), placeAad, prefix: SEALED_KIND }
    : { aad: placeAad, placeAad, prefix: SEALED };
}

/** Random IVs drawn 1,024 at a time (one randomFillSync per 12 KiB instead of one draw per value). */
const IV_POOL = Buffer.allocUnsafe(12 * 1024);
let ivOffset = IV_POOL.length;

/** Copies a fresh random 96-bit IV into `out` at 0. */
function randomIv(out: Buffer): void {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  IV_POOL.copy(out, 0, ivOffset, ivOffset + 12);
  // Each IV is handed out once: its bytes are overwritten so no later copy could repeat it.
  IV_POOL.fill(0, ivOffset, ivOffset + 12);
  ivOffset += 12;
}

/**
 * AES-256-GCM under a domain's data key: `pfe2.<base64 iv|tag|ciphertext>`, with the domain and the
 * place (`table.column`) as additional authenticated data — a value copied to another domain, table or
 * column does not open. Places of one kind (KIND_OF_PLACE) seal `pfe3.` with the domain and the kind as
 * AAD instead: such a value opens in the places of its kind only. `pfe1.` values (sealed before that
 * binding, without AAD) and, in a place of a kind, its own `pfe2.` values still open. A value
 * that is not sealed is refused: every value of a domain with a data key is written sealed (the
 * domain's data key is made with the domain, and domains created before encryption have none and
 * keep plain values), so a plain one was put there by someone else.
 * Every value gets its own random 96-bit IV (NIST SP 800-38D's RBG-based construction): a data key
 * lives for the domain's whole life and is used by many boxes at once, so a per-box counter could
 * repeat an IV under the same key.
 */
export class DataKeyBox implements SecretBox {
  /** The AAD this box seals with: its kind's when its place has one, else its place's. */
  readonly #aad: Buffer;
  /** The AAD of values sealed bound to the place itself (`pfe2.`), which still open here. */
  readonly #placeAad: Buffer;
  readonly #prefix: string;

  constructor(
    private readonly key: Buffer,
    domainName: string,
    private readonly place: string,
    private readonly prefetched: PrefetchedSeals,
  ) {
    const { aad, placeAad, prefix } = sealingOf(domainName, place);
    this.#aad = aad;
    this.#placeAad = placeAad;
    this.#prefix = prefix;
  }

  seal(plaintext: string): string {
    const ahead = this.prefetched.takeSeal(this.place, plaintext);
    if (ahead !== undefined) return ahead;
    const out = Buffer.allocUnsafe(28 + Buffer.byteLength(plaintext, "utf8"));
    randomIv(out);
    const cipher = createCipheriv("aes-256-gcm", this.key, out.subarray(0, 12));
    cipher.setAAD(this.#aad);
    const body = cipher.update(plaintext, "utf8");
    const tail = cipher.final();
    body.copy(out, 28);
    tail.copy(out, 28 + body.length);
    cipher.getAuthTag().copy(out, 12);
    return `${this.#prefix}${out.toString("base64")}`;
  }

  open(sealed: string): string {
    // Each prefix is 5 characters: pfe3. (bound to a kind), pfe2. (bound to the place), pfe1. (unbound).
    const aad = sealed.startsWith(SEALED_KIND)
      ? this.#prefix === SEALED_KIND
        ? this.#aad
        : undefined
      : sealed.startsWith(SEALED)
        ? this.#placeAad
        : sealed.startsWith(SEALED_UNBOUND)
          ? null
          : undefined;
    if (aad === undefined) {
      throw new Error(
        sealed.startsWith(SEALED_KIND)
          ? "a value sealed for another kind of place: refused"
          : "a value of a domain with a data key is not sealed: refused",
      );
    }
    const raw = Buffer.from(sealed.slice(SEALED.length), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
