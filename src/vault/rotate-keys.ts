import { VaultError } from '../errors/vault-error';
import { resolveActor, resolveBatchSize, throwIfAborted } from './batch-options';
import { isVaultCiphertext } from './ciphertext-format';
import type { KeyVault } from './key-vault-types';
import type { RotatableKeyRecord, KeyRotationAuditRow, RotatableKeyStore } from './rotatable-key-store';
import { buildRotationAuditRow } from './rotation-audit';

/** Options of `rotateKeys`. */
export interface RotateKeysOptions {
  /** Vault whose `currentKeyId` is the rotation target; its ring must still hold every old key. */
  vault: KeyVault;
  /** Where the keys live. */
  store: RotatableKeyStore;
  /** Written into every audit row (an admin id, a job name). Default `system`. */
  actor?: string;
  /** Records read and re-encrypted per batch. Default 100. */
  batchSize?: number;
  /** Resume after this record id (from a persisted `onBatch` cursor). Without it the scan starts at the beginning, which is also safe: finished records are skipped. */
  startAfterId?: string;
  /** Clock for audit rows. */
  now?: () => Date;
  /** Called after each batch is written; persist `progress.lastId` here to resume without rescanning. */
  onBatch?: (progress: KeyRotationProgress) => void | Promise<void>;
  /** Stops between batches. */
  signal?: AbortSignal;
}

/** Counters of a rotation run so far. */
export interface KeyRotationProgress {
  /** Key id everything is being moved to. */
  toKeyId: string;
  /** Records looked at. */
  scanned: number;
  /** Records this run re-encrypted. */
  rotated: number;
  /** Records already under the current key (done earlier, by a previous run or a lazy read). */
  alreadyCurrent: number;
  /** Records that changed between read and write (a concurrent lazy read or `keys.set`); left as the other writer left them. */
  conflicts: number;
  /** Id of the last record of the last finished batch. */
  lastId?: string;
}

/** A record that could not be rotated (its ciphertext did not decrypt); the run continues past it. */
export interface KeyRotationFailure {
  /** Storage record id. */
  recordId: string;
  /** Key id the ciphertext names. */
  keyId: string;
  /** The `VaultError` (never contains key material). */
  error: VaultError;
}

/** Result of a finished rotation run. */
export interface KeyRotationReport extends KeyRotationProgress {
  /** Records whose value is not a vault ciphertext: run `migratePlaintextKeys` for them. */
  plaintextRecordIds: string[];
  /** Records that failed to decrypt (tampered, or their key id is missing from the ring). */
  failures: KeyRotationFailure[];
}

/**
 * Re-encrypts every stored key that is not under `vault.currentKeyId`, in batches. Safe to run again
 * after a crash, and concurrently with lazy re-encryption: each write is a compare-and-set against the
 * value that was read, and records already under the current key are skipped. Audit rows are appended
 * before the writes of their batch with deterministic ids, so a crash between the two never loses a
 * row and a rerun never duplicates one.
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<KeyRotationReport> {
  const { vault, store, signal } = options;
  const actor = resolveActor(options.actor, 'rotateKeys');
  const batchSize = resolveBatchSize(options.batchSize, 'rotateKeys');
  const now = options.now ?? (() => new Date());
  const report: KeyRotationReport = {
    toKeyId: vault.currentKeyId,
    scanned: 0,
    rotated: 0,
    alreadyCurrent: 0,
    conflicts: 0,
    plaintextRecordIds: [],
    failures: [],
  };
  if (options.startAfterId !== undefined) report.lastId = options.startAfterId;

  for (;;) {
    throwIfAborted(signal, 'Key rotation');
    const records = await store.listEncryptedKeys({ limit: batchSize, ...(report.lastId === undefined ? {} : { afterId: report.lastId }) });
    if (records.length === 0) break;
    report.scanned += records.length;

    const stale: RotatableKeyRecord[] = [];
    for (const record of records) {
      if (!isVaultCiphertext(record.ciphertext)) report.plaintextRecordIds.push(record.id);
      else if (vault.needsRotation(record.ciphertext)) stale.push(record);
      else report.alreadyCurrent += 1;
    }

    const reencrypted = await Promise.all(
      stale.map(async (record) => {
        const fromKeyId = vault.keyIdOf(record.ciphertext);
        try {
          const next = await vault.reencrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id });
          return { record, fromKeyId, next };
        } catch (error) {
          if (!(error instanceof VaultError)) throw error;
          report.failures.push({ recordId: record.id, keyId: fromKeyId, error });
          return undefined;
        }
      }),
    );
    const ready = reencrypted.filter((entry) => entry !== undefined);

    if (ready.length > 0) {
      const at = now();
      const rows: KeyRotationAuditRow[] = await Promise.all(
        ready.map(({ record, fromKeyId }) =>
          buildRotationAuditRow({ record, fromKeyId, toKeyId: vault.currentKeyId, actor, reason: 'rotation', at }),
        ),
      );
      await store.appendRotationAudit(rows);
      for (const { record, next } of ready) {
        if (await store.compareAndSetCiphertext(record.id, record.ciphertext, next)) report.rotated += 1;
        else report.conflicts += 1;
      }
    }

    report.lastId = records[records.length - 1]!.id;
    if (options.onBatch) {
      const { plaintextRecordIds: _plaintext, failures: _failures, ...progress } = report;
      await options.onBatch(progress);
    }
    if (records.length < batchSize) break;
  }
  return report;
}
