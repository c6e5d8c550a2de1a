import type { EncryptedKeyKind, Storage } from '../spec/storage';
import type { KeyRotationAuditRow, RotatableKeyRecord, RotatableKeyStore } from '../vault/rotatable-key-store';

/** Options of `createStorageKeyStore`. */
export interface StorageKeyStoreOptions {
  /** Which records' keys to expose: provider configurations (default) or provider instances. */
  kind?: EncryptedKeyKind;
  /** Clock for `updatedAt` of re-encrypted records. */
  now?: () => number;
}

// `v1:<key id>:<iv>:<ciphertext>`; anything else is a legacy plaintext value awaiting migration.
function keyIdOf(value: string): string {
  const parts = value.split(':');
  return parts.length === 4 && parts[0] === 'v1' && parts[1] ? parts[1] : 'plaintext';
}

/**
 * Exposes the encrypted keys of one kind of storage record to the vault's `rotateKeys`,
 * `migratePlaintextKeys` and lazy re-encryption. Run rotation once per kind. The binding the vault checks
 * is `{ ownerId, provider, recordId }` with `provider` = the configuration's provider id, or the
 * instance's own id for instances; encrypt with that same binding when saving keys.
 */
export function createStorageKeyStore(storage: Storage, options: StorageKeyStoreOptions = {}): RotatableKeyStore {
  const kind = options.kind ?? 'provider-config';
  const now = options.now ?? Date.now;
  return {
    async listEncryptedKeys({ afterId, limit }) {
      const rows = await storage.listEncryptedKeys({ kind, limit, ...(afterId === undefined ? {} : { afterId }) });
      return rows.map((row): RotatableKeyRecord => ({ id: row.id, ownerId: row.ownerId, provider: row.provider, ciphertext: row.keyCiphertext }));
    },
    compareAndSetCiphertext(id, expected, next) {
      return storage.compareAndSetKeyCiphertext({ kind, id, expectedCiphertext: expected, keyCiphertext: next, keyId: keyIdOf(next), updatedAt: now() });
    },
    async appendRotationAudit(rows: readonly KeyRotationAuditRow[]) {
      await storage.appendKeyRotationAudit(
        rows.map((row) => ({
          id: row.id,
          time: Date.parse(row.at),
          kind,
          recordId: row.recordId,
          ownerId: row.ownerId,
          provider: row.provider,
          fromKeyId: row.fromKeyId,
          toKeyId: row.toKeyId,
          actor: row.actor,
          reason: row.reason,
        })),
      );
    },
  };
}
