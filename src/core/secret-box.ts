/** The encryption port: layers that store secrets take a SecretBox; src/security implements it. */
export interface SecretBox {
  /** Encrypts `plaintext` into a self-describing string (algorithm, iv, tag, ciphertext). */
  seal(plaintext: string): string;
  /** Decrypts what `seal` produced; throws if it was tampered with or sealed under another key. */
  open(sealed: string): string;
}
