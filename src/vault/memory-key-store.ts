import type { RotatableKeyRecord, KeyRotationAuditRow, ListEncryptedKeysOptions, RotatableKeyStore } from './rotatable-key-store';

/** An in-memory `RotatableKeyStore` (tests, examples, single-process hosts without durable storage). */
export interface MemoryKeyStore extends RotatableKeyStore {
  /** Inserts or replaces a record. */
  put(record: RotatableKeyRecord): void;
  /** A copy of the record, or undefined. */
  get(id: string): RotatableKeyRecord | undefined;
  /** Removes a record. */
  remove(id: string): boolean;
  /** Number of records. */
  readonly size: number;
  /** Copies of the audit rows in insertion order. */
  auditRows(): KeyRotationAuditRow[];
}

// Code-unit order, the same order `ORDER BY id` gives with a binary collation.
function compareIds(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Creates an empty in-memory key store. */
export function createMemoryKeyStore(initial: readonly RotatableKeyRecord[] = []): MemoryKeyStore {
  const records = new Map<string, RotatableKeyRecord>();
  const sortedIds: string[] = [];
  const audit = new Map<string, KeyRotationAuditRow>();

  // First index whose id sorts after `id` (or at it, when `inclusive`).
  function searchIndex(id: string, inclusive: boolean): number {
    let low = 0;
    let high = sortedIds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareIds(sortedIds[middle]!, id);
      if (order < 0 || (!inclusive && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  function put(record: RotatableKeyRecord): void {
    if (!records.has(record.id)) sortedIds.splice(searchIndex(record.id, true), 0, record.id);
    records.set(record.id, { ...record });
  }

  for (const record of initial) put(record);

  return {
    put,
    get: (id) => {
      const record = records.get(id);
      return record === undefined ? undefined : { ...record };
    },
    remove: (id) => {
      if (!records.delete(id)) return false;
      sortedIds.splice(searchIndex(id, true), 1);
      return true;
    },
    get size() {
      return records.size;
    },
    auditRows: () => [...audit.values()].map((row) => ({ ...row })),
    async listEncryptedKeys({ afterId, limit }: ListEncryptedKeysOptions) {
      const start = afterId === undefined ? 0 : searchIndex(afterId, false);
      return sortedIds.slice(start, start + limit).map((id) => ({ ...records.get(id)! }));
    },
    async compareAndSetCiphertext(id, expected, next) {
      const record = records.get(id);
      if (record === undefined || record.ciphertext !== expected) return false;
      record.ciphertext = next;
      return true;
    },
    async appendRotationAudit(rows) {
      for (const row of rows) if (!audit.has(row.id)) audit.set(row.id, { ...row });
    },
  };
}
