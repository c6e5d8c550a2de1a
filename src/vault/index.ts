export { createKeyVault } from './create-key-vault';
export type {
  BoundCiphertext,
  KeyBinding,
  KeyRing,
  KeyRingEntry,
  KeyVault,
  KeyVaultOptions,
  KeyVaultVerifyOptions,
  MasterKeyMaterial,
} from './key-vault-types';
export { isVaultCiphertext, ciphertextVersion } from './ciphertext-format';
export { maskApiKey } from './mask-api-key';
export { createSecretString, isSecretString, revealSecret, type SecretString } from './secret-string';
export type {
  RotatableKeyRecord,
  KeyRotationAuditRow,
  KeyRotationReason,
  LazyReencryptionStore,
  ListEncryptedKeysOptions,
  RotatableKeyStore,
} from './rotatable-key-store';
export {
  rotateKeys,
  type KeyRotationFailure,
  type KeyRotationProgress,
  type KeyRotationReport,
  type RotateKeysOptions,
} from './rotate-keys';
export {
  decryptWithLazyReencryption,
  type LazyDecryptOptions,
  type LazyDecryptResult,
  type LazyReencryptionOutcome,
} from './lazy-reencryption';
export {
  migratePlaintextKeys,
  type MigratePlaintextKeysOptions,
  type PlaintextMigrationReport,
} from './migrate-plaintext-keys';
export { createMemoryKeyStore, type MemoryKeyStore } from './memory-key-store';
