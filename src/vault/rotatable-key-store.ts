/** One stored key as the rotation engine sees it. */
export interface RotatableKeyRecord {
  /** Storage record id; also bound into the ciphertext. Records are listed in ascending order of this id. */
  id: string;
  /** Owner of the key (a user id, or `system` for managed keys); bound into the ciphertext. */
  ownerId: string;
  /** Provider or instance id the key is for; bound into the ciphertext. */
  provider: string;
  /** The stored value: a `v1:…` vault ciphertext, or a legacy plaintext key before `migratePlaintextKeys` ran. */
  ciphertext: string;
}

/** Why an audit row was written. */
export type KeyRotationReason = 'rotation' | 'lazy' | 'migration';

/** One row of the key-rotation audit trail. Never contains a key, plaintext or ciphertext. */
export interface KeyRotationAuditRow {
  /**
   * Deterministic id of the transition (record, from, to and a digest of the replaced ciphertext), so
   * writing the same row twice — after a crash, or by rotation and a lazy read racing — stores it once.
   */
  id: string;
  /** When the row was written (ISO 8601). */
  at: string;
  /** Storage record id of the key. */
  recordId: string;
  /** Owner of the key. */
  ownerId: string;
  /** Provider or instance id of the key. */
  provider: string;
  /** Key id the value was encrypted with before; `null` when it was plaintext (migration). */
  fromKeyId: string | null;
  /** Key id it is encrypted with now. */
  toKeyId: string;
  /** Who caused it (an admin id, `system`, or the user whose read re-encrypted lazily). */
  actor: string;
  /** Rotation run, lazy re-encryption on read, or plaintext migration. */
  reason: KeyRotationReason;
}

/** Page request of `listEncryptedKeys`. */
export interface ListEncryptedKeysOptions {
  /** Return records whose id sorts strictly after this one; omitted for the first page. */
  afterId?: string;
  /** Maximum number of records to return. */
  limit: number;
}

/**
 * The slice of storage that rotation, lazy re-encryption and plaintext migration need. Storage adapters
 * implement it next to their key tables.
 */
export interface RotatableKeyStore {
  /** Every stored key (all owners), in ascending `id` order, `limit` at a time after `afterId`. */
  listEncryptedKeys(options: ListEncryptedKeysOptions): Promise<RotatableKeyRecord[]>;
  /**
   * Atomically replaces the stored value of record `id` with `next` only if it still equals `expected`
   * (`UPDATE … SET ciphertext = next WHERE id = ? AND ciphertext = expected`). Returns whether it replaced it;
   * false when the record changed or no longer exists.
   */
  compareAndSetCiphertext(id: string, expected: string, next: string): Promise<boolean>;
  /** Appends audit rows; a row whose `id` is already stored is ignored (insert-or-ignore), never duplicated. */
  appendRotationAudit(rows: readonly KeyRotationAuditRow[]): Promise<void>;
}

/** What lazy re-encryption on read needs. */
export type LazyReencryptionStore = Pick<RotatableKeyStore, 'compareAndSetCiphertext' | 'appendRotationAudit'>;
