/**
 * What a stored key is bound to. All three go into the AES-GCM additional authenticated data, so a
 * ciphertext copied to another owner, provider or record no longer decrypts.
 */
export interface KeyBinding {
  /** The user (or `system` for the host's managed keys) who owns the key. */
  ownerId: string;
  /** Provider id the key is for (`openai`, `anthropic`, an instance id, …). */
  provider: string;
  /** Id of the storage record that holds the ciphertext. */
  recordId: string;
}

/**
 * One master key: 64 hex characters (`openssl rand -hex 32`), base64 of 32 bytes
 * (`openssl rand -base64 32`), 32 raw bytes, or an AES-GCM 256-bit `CryptoKey` usable for encrypt and decrypt.
 */
export type MasterKeyMaterial = string | Uint8Array | CryptoKey;

/** One entry of a key ring. */
export interface KeyRingEntry {
  /** Stable id written into every ciphertext made with this key: 1–64 of `A-Z a-z 0-9 . _ -`. */
  id: string;
  /** The key itself. */
  key: MasterKeyMaterial;
}

/** Several master keys: old ones still decrypt, `currentKeyId` encrypts. */
export interface KeyRing {
  /** Every key that may still be referenced by stored ciphertexts. */
  keys: readonly KeyRingEntry[];
  /** Id of the key new ciphertexts are made with (the rotation target). */
  currentKeyId: string;
}

/** Options of `createKeyVault`. */
export interface KeyVaultOptions {
  /** A single master key, or a key ring for rotation. */
  masterKey: MasterKeyMaterial | KeyRing;
  /** Key id used when `masterKey` is a single key (not a ring). Default `default`. */
  keyId?: string;
}

/** A ciphertext paired with the binding it was written for (used by `verify`). */
export interface BoundCiphertext {
  /** A `v1:…` ciphertext. */
  ciphertext: string;
  /** What it was bound to when encrypted. */
  binding: KeyBinding;
}

/** Options of `KeyVault.verify`. */
export interface KeyVaultVerifyOptions {
  /** A value from `createKeyCheck()` stored earlier; proves the configured key is the one that wrote it. */
  keyCheck?: string;
  /** Stored ciphertexts to trial-decrypt (for example one record per key id). */
  samples?: readonly BoundCiphertext[];
}

/** Encrypts and decrypts API keys with AES-256-GCM through WebCrypto. Holds no key material in enumerable state. */
export interface KeyVault {
  /** Id of the key new ciphertexts are made with. */
  readonly currentKeyId: string;
  /** Every key id in the ring (oldest first, as given). */
  readonly keyIds: readonly string[];
  /** Encrypts `plaintext` for `binding` under the current key; a fresh random IV each call. */
  encrypt(plaintext: string, binding: KeyBinding): Promise<string>;
  /** Decrypts a ciphertext; throws `VaultError` naming the key id when it fails to authenticate. */
  decrypt(ciphertext: string, binding: KeyBinding): Promise<string>;
  /** Whether the ciphertext was made with a key other than the current one. Throws `VaultError` if it is not a ciphertext. */
  needsRotation(ciphertext: string): boolean;
  /** Decrypts and re-encrypts under the current key; returns the input unchanged when it is already current (after authenticating it). */
  reencrypt(ciphertext: string, binding: KeyBinding): Promise<string>;
  /** Key id a ciphertext was made with. Throws `VaultError` if it is not a ciphertext. */
  keyIdOf(ciphertext: string): string;
  /** Makes a small ciphertext of a known constant to store once and pass to `verify({ keyCheck })` at start-up. */
  createKeyCheck(): Promise<string>;
  /**
   * Self-test: imports every key, round-trips a probe through each, and decrypts `keyCheck` and `samples`.
   * Throws `VaultError` naming the failing key id.
   */
  verify(options?: KeyVaultVerifyOptions): Promise<void>;
}
