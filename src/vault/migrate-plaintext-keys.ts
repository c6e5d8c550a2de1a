import { resolveActor, resolveBatchSize, throwIfAborted } from './batch-options';
import { isVaultCiphertext } from './ciphertext-format';
import type { KeyVault } from './key-vault-types';
import type { RotatableKeyRecord, RotatableKeyStore } from './rotatable-key-store';
import { buildRotationAuditRow } from './rotation-audit';

/** Options of `migratePlaintextKeys`. */
export interface MigratePlaintextKeysOptions {
  /** Vault to encrypt with (under its current key). */
  vault: KeyVault;
  /** Store whose key values may contain plaintext. */
  store: RotatableKeyStore;
  /** Written into every audit row. Default `system`. */
  actor?: string;
  /** Records per batch. Default 100. */
  batchSize?: number;
  /** Resume after this record id. */
  startAfterId?: string;
  /** Clock for audit rows. */
  now?: () => Date;
  /** Count what would be encrypted without writing anything. */
  dryRun?: boolean;
  /** Stops between batches. */
  signal?: AbortSignal;
}

/** Result of `migratePlaintextKeys`. Lists record ids only, never values. */
export interface PlaintextMigrationReport {
  /** Records looked at. */
  scanned: number;
  /** Plaintext values encrypted and written (or that would be, in a dry run). */
  encrypted: number;
  /** Values already in the vault ciphertext format. */
  alreadyEncrypted: number;
  /** Records that changed between read and write; left as the other writer left them. */
  conflicts: number;
  /** Records with an empty value (nothing to encrypt; fix or delete them). */
  emptyRecordIds: string[];
  /** Id of the last record scanned. */
  lastId?: string;
}

/**
 * Finds stored keys that are not in the vault ciphertext format (plaintext from before the vault was
 * configured) and encrypts them in place with compare-and-set, writing one `migration` audit row each.
 * Idempotent: rerunning after a crash skips what is already encrypted.
 */
export async function migratePlaintextKeys(options: MigratePlaintextKeysOptions): Promise<PlaintextMigrationReport> {
  const { vault, store, signal } = options;
  const actor = resolveActor(options.actor, 'migratePlaintextKeys');
  const batchSize = resolveBatchSize(options.batchSize, 'migratePlaintextKeys');
  const now = options.now ?? (() => new Date());
  const report: PlaintextMigrationReport = { scanned: 0, encrypted: 0, alreadyEncrypted: 0, conflicts: 0, emptyRecordIds: [] };
  if (options.startAfterId !== undefined) report.lastId = options.startAfterId;

  for (;;) {
    throwIfAborted(signal, 'Plaintext key migration');
    const records = await store.listEncryptedKeys({ limit: batchSize, ...(report.lastId === undefined ? {} : { afterId: report.lastId }) });
    if (records.length === 0) break;
    report.scanned += records.length;

    const plaintext: RotatableKeyRecord[] = [];
    for (const record of records) {
      const value: unknown = record.ciphertext;
      if (isVaultCiphertext(value)) report.alreadyEncrypted += 1;
      else if (typeof value !== 'string' || value.length === 0) report.emptyRecordIds.push(record.id);
      else plaintext.push(record);
    }

    if (options.dryRun) report.encrypted += plaintext.length;
    else if (plaintext.length > 0) {
      const at = now();
      const prepared = await Promise.all(
        plaintext.map(async (record) => ({
          record,
          next: await vault.encrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id }),
          row: await buildRotationAuditRow({ record, fromKeyId: null, toKeyId: vault.currentKeyId, actor, reason: 'migration', at }),
        })),
      );
      await store.appendRotationAudit(prepared.map(({ row }) => row));
      for (const { record, next } of prepared) {
        if (await store.compareAndSetCiphertext(record.id, record.ciphertext, next)) report.encrypted += 1;
        else report.conflicts += 1;
      }
    }

    report.lastId = records[records.length - 1]!.id;
    if (records.length < batchSize) break;
  }
  return report;
}
