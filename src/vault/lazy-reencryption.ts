import { buildRotationAuditRow } from './rotation-audit';
import type { KeyVault } from './key-vault-types';
import type { RotatableKeyRecord, LazyReencryptionStore } from './rotatable-key-store';
import { createSecretString, type SecretString } from './secret-string';

/** Options of `decryptWithLazyReencryption`. */
export interface LazyDecryptOptions {
  /** The vault. */
  vault: KeyVault;
  /** Where to write the re-encrypted value back. */
  store: LazyReencryptionStore;
  /** The record as it was read from storage. */
  record: RotatableKeyRecord;
  /** Written into the audit row (usually the user whose request read the key). Default `system`. */
  actor?: string;
  /** Clock for the audit row. */
  now?: () => Date;
  /** Receives a failure to write the re-encrypted value back; the read itself still succeeds. */
  onError?: (error: unknown) => void;
}

/** What happened to the stored value during the read. */
export type LazyReencryptionOutcome =
  /** Already under the current key. */
  | 'not-needed'
  /** Re-encrypted under the current key and written back. */
  | 'written'
  /** Someone else (rotation, another read, `keys.set`) changed the record first; their value stays. */
  | 'conflict'
  /** Writing back failed (reported to `onError`); the stored value is unchanged. */
  | 'failed';

/** Result of `decryptWithLazyReencryption`. */
export interface LazyDecryptResult {
  /** The decrypted key, wrapped so it prints only as its mask. */
  apiKey: SecretString;
  /** What happened to the stored value. */
  reencryption: LazyReencryptionOutcome;
  /** The ciphertext this call wrote, or the one it read when it wrote nothing. */
  ciphertext: string;
}

/**
 * Decrypts a stored key and, when it is under an old key id, re-encrypts it under the current one and
 * writes it back with compare-and-set (so it never overwrites a concurrent rotation or `keys.set`).
 * Decryption errors (`VaultError`) propagate; write-back errors go to `onError` and do not fail the read.
 */
export async function decryptWithLazyReencryption(options: LazyDecryptOptions): Promise<LazyDecryptResult> {
  const { vault, store, record } = options;
  const binding = { ownerId: record.ownerId, provider: record.provider, recordId: record.id };
  const plaintext = await vault.decrypt(record.ciphertext, binding);
  const apiKey = createSecretString(plaintext);
  if (!vault.needsRotation(record.ciphertext)) return { apiKey, reencryption: 'not-needed', ciphertext: record.ciphertext };

  try {
    const next = await vault.encrypt(plaintext, binding);
    // Audit first, as rotation does: the row id is deterministic, so a racing rotation writes the same row.
    const row = await buildRotationAuditRow({
      record,
      fromKeyId: vault.keyIdOf(record.ciphertext),
      toKeyId: vault.currentKeyId,
      actor: options.actor ?? 'system',
      reason: 'lazy',
      at: (options.now ?? (() => new Date()))(),
    });
    await store.appendRotationAudit([row]);
    const written = await store.compareAndSetCiphertext(record.id, record.ciphertext, next);
    return written ? { apiKey, reencryption: 'written', ciphertext: next } : { apiKey, reencryption: 'conflict', ciphertext: record.ciphertext };
  } catch (error) {
    options.onError?.(error);
    return { apiKey, reencryption: 'failed', ciphertext: record.ciphertext };
  }
}
