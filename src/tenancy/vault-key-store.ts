import { InvalidRequestError } from '../errors/invalid-request-error';
import type { EncryptedKeyKind, EncryptedKeyRecord, KeyRotationAuditRecord, Storage } from '../spec/storage';
import { isVaultCiphertext } from '../vault/ciphertext-format';
import type { KeyRotationAuditRow, ListEncryptedKeysOptions, RotatableKeyRecord, RotatableKeyStore } from '../vault/rotatable-key-store';
import { parseVaultRecordId, vaultRecordId } from './key-record-binding';

/** Options of `createVaultKeyStore`. */
export interface VaultKeyStoreOptions {
  /** Clock for `updatedAt` of re-encrypted records. Default `Date.now`. */
  now?: () => number;
}

const kinds: readonly EncryptedKeyKind[] = ['provider-config', 'provider-instance'];

/**
 * The vault's `RotatableKeyStore` over the storage contract, so `rotateKeys`, `migratePlaintextKeys` and
 * lazy re-encryption work on any storage adapter. Both key tables appear as one id space,
 * `provider-config:<id>` then `provider-instance:<id>`, which is also the record id bound into each
 * ciphertext (see `providerConfigBinding` / `providerInstanceBinding`), so one `rotateKeys` run covers
 * both tables. Keys written by the key and instance services must be rotated through this store: a
 * store that binds the bare row id cannot decrypt them.
 */
export function createVaultKeyStore(storage: Storage, options: VaultKeyStoreOptions = {}): RotatableKeyStore {
  const now = options.now ?? Date.now;

  // Storage lists the provider of a configuration and the instance id of an instance, as the bindings use.
  const toRotatable = (row: EncryptedKeyRecord): RotatableKeyRecord => ({
    id: vaultRecordId(row.kind, row.id),
    ownerId: row.ownerId,
    provider: row.provider,
    ciphertext: row.keyCiphertext,
  });

  return {
    async listEncryptedKeys({ afterId, limit }: ListEncryptedKeysOptions) {
      const cursor = afterId === undefined ? undefined : parseVaultRecordId(afterId);
      if (afterId !== undefined && cursor === undefined) throw new InvalidRequestError(`listEncryptedKeys: afterId '${afterId}' is not a key record id`);
      const records: RotatableKeyRecord[] = [];
      for (const kind of kinds) {
        if (cursor && kinds.indexOf(kind) < kinds.indexOf(cursor.kind)) continue;
        const remaining = limit - records.length;
        if (remaining <= 0) break;
        const rows = await storage.listEncryptedKeys({ kind, afterId: cursor?.kind === kind ? cursor.id : undefined, limit: remaining });
        records.push(...rows.map(toRotatable));
      }
      return records;
    },

    async compareAndSetCiphertext(id, expected, next) {
      const target = parseVaultRecordId(id);
      if (!target) return false;
      // The storage keeps the key id next to the ciphertext; the vault writes it as the second field.
      if (!isVaultCiphertext(next)) throw new InvalidRequestError(`compareAndSetCiphertext: the new value of '${id}' is not a vault ciphertext`);
      const keyId = next.split(':')[1]!;
      return storage.compareAndSetKeyCiphertext({ kind: target.kind, id: target.id, expectedCiphertext: expected, keyCiphertext: next, keyId, updatedAt: now() });
    },

    async appendRotationAudit(rows: readonly KeyRotationAuditRow[]) {
      if (rows.length === 0) return;
      await storage.appendKeyRotationAudit(rows.map(toAuditRecord));
    },
  };
}

function toAuditRecord(row: KeyRotationAuditRow): KeyRotationAuditRecord {
  const target = parseVaultRecordId(row.recordId);
  if (!target) throw new InvalidRequestError(`appendRotationAudit: '${row.recordId}' is not a key record id`);
  return {
    id: row.id,
    time: Date.parse(row.at),
    kind: target.kind,
    recordId: target.id,
    ownerId: row.ownerId,
    provider: row.provider,
    fromKeyId: row.fromKeyId,
    toKeyId: row.toKeyId,
    actor: row.actor,
    reason: row.reason,
  };
}
