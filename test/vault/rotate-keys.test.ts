import { describe, expect, it } from 'vitest';
import { webcrypto } from 'node:crypto';
import { StorageError } from '../../src/errors';
import {
  createKeyVault,
  createMemoryKeyStore,
  decryptWithLazyReencryption,
  rotateKeys,
  type KeyVault,
  type MemoryKeyStore,
  type RotatableKeyStore,
} from '../../src/vault';
import { flipByteInField, hexMasterKey, otherHexMasterKey } from './vault-test-helpers';

const oldVault = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }], currentKeyId: 'k1' } });
const newVault = createKeyVault({
  masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' },
});
const fixedNow = () => new Date('2025-06-01T12:00:00.000Z');

function recordId(index: number): string {
  return `rec-${String(index).padStart(6, '0')}`;
}

function makeApiKey(index: number): string {
  return `sk-test-${index}-${Buffer.from(webcrypto.getRandomValues(new Uint8Array(18))).toString('base64url')}`;
}

/** A store seeded with `count` keys encrypted under k1; returns the plaintexts by record id. */
async function seedStore(count: number): Promise<{ store: MemoryKeyStore; plaintexts: Map<string, string> }> {
  const store = createMemoryKeyStore();
  const plaintexts = new Map<string, string>();
  const indexes = Array.from({ length: count }, (_, index) => index);
  await Promise.all(
    indexes.map(async (index) => {
      const id = recordId(index);
      const ownerId = `user-${index % 97}`;
      const provider = ['openai', 'anthropic', 'groq'][index % 3]!;
      const apiKey = makeApiKey(index);
      plaintexts.set(id, apiKey);
      store.put({ id, ownerId, provider, ciphertext: await oldVault.encrypt(apiKey, { ownerId, provider, recordId: id }) });
    }),
  );
  return { store, plaintexts };
}

/** Wraps a store so that the write after `allowedWrites` successful ones throws, like a process dying mid-batch. */
function crashAfterWrites(store: RotatableKeyStore, allowedWrites: number): RotatableKeyStore & { writes: number } {
  const wrapper = {
    writes: 0,
    listEncryptedKeys: store.listEncryptedKeys.bind(store),
    appendRotationAudit: store.appendRotationAudit.bind(store),
    async compareAndSetCiphertext(id: string, expected: string, next: string) {
      if (wrapper.writes >= allowedWrites) throw new StorageError('injected crash: connection lost');
      wrapper.writes += 1;
      return store.compareAndSetCiphertext(id, expected, next);
    },
  };
  return wrapper;
}

async function expectAllRotated(vault: KeyVault, store: MemoryKeyStore, plaintexts: Map<string, string>): Promise<void> {
  const records = await store.listEncryptedKeys({ limit: 1_000_000 });
  expect(records).toHaveLength(plaintexts.size);
  const decrypted = await Promise.all(
    records.map(async (record) => {
      expect(vault.keyIdOf(record.ciphertext)).toBe('k2');
      return [record.id, await vault.decrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id })] as const;
    }),
  );
  for (const [id, plaintext] of decrypted) expect(plaintext).toBe(plaintexts.get(id));
}

function expectOneAuditRowPerRecord(store: MemoryKeyStore, recordIds: Iterable<string>): void {
  const rows = store.auditRows();
  const byRecord = new Map<string, number>();
  for (const row of rows) byRecord.set(row.recordId, (byRecord.get(row.recordId) ?? 0) + 1);
  for (const id of recordIds) expect(byRecord.get(id), id).toBe(1);
  expect(rows.length).toBe(byRecord.size);
}

describe('rotateKeys', () => {
  it('rotates 10,000 keys, survives a crash in the middle, and resumes without losing or double-auditing any', async () => {
    const { store, plaintexts } = await seedStore(10_000);
    const crashing = crashAfterWrites(store, 4_321);
    await expect(rotateKeys({ vault: newVault, store: crashing, actor: 'admin-7', batchSize: 250, now: fixedNow })).rejects.toThrow(
      /injected crash/,
    );
    const records = await store.listEncryptedKeys({ limit: 20_000 });
    expect(records.filter((record) => newVault.keyIdOf(record.ciphertext) === 'k2')).toHaveLength(4_321);

    const resumed = await rotateKeys({ vault: newVault, store, actor: 'admin-7', batchSize: 250, now: fixedNow });
    expect(resumed).toMatchObject({ toKeyId: 'k2', scanned: 10_000, rotated: 10_000 - 4_321, alreadyCurrent: 4_321, conflicts: 0 });
    expect(resumed.failures).toEqual([]);
    expect(resumed.plaintextRecordIds).toEqual([]);

    await expectAllRotated(newVault, store, plaintexts);
    expectOneAuditRowPerRecord(store, plaintexts.keys());
    const rows = store.auditRows();
    expect(rows).toHaveLength(10_000);
    for (const row of rows) {
      expect(row).toMatchObject({ fromKeyId: 'k1', toKeyId: 'k2', actor: 'admin-7', reason: 'rotation', at: '2025-06-01T12:00:00.000Z' });
    }
    const auditText = JSON.stringify(rows);
    for (const plaintext of [...plaintexts.values()].slice(0, 500)) expect(auditText).not.toContain(plaintext);
    expect(auditText).not.toContain('v1:');

    const again = await rotateKeys({ vault: newVault, store, batchSize: 1000 });
    expect(again).toMatchObject({ scanned: 10_000, rotated: 0, alreadyCurrent: 10_000 });
    expect(store.auditRows()).toHaveLength(10_000);
  });

  it('resumes from a cursor persisted in onBatch after a crash while appending audit rows', async () => {
    const { store, plaintexts } = await seedStore(1_000);
    let cursor: string | undefined;
    let auditCalls = 0;
    const crashing: RotatableKeyStore = {
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      compareAndSetCiphertext: (id, expected, next) => store.compareAndSetCiphertext(id, expected, next),
      async appendRotationAudit(rows) {
        auditCalls += 1;
        if (auditCalls === 4) throw new StorageError('injected crash while writing audit rows');
        return store.appendRotationAudit(rows);
      },
    };
    await expect(
      rotateKeys({ vault: newVault, store: crashing, batchSize: 100, onBatch: (progress) => void (cursor = progress.lastId) }),
    ).rejects.toThrow(/injected crash/);
    expect(cursor).toBe(recordId(299));
    const report = await rotateKeys({ vault: newVault, store, batchSize: 100, startAfterId: cursor });
    expect(report).toMatchObject({ scanned: 700, rotated: 700, alreadyCurrent: 0 });
    await expectAllRotated(newVault, store, plaintexts);
    expectOneAuditRowPerRecord(store, plaintexts.keys());
  });

  it('reports tampered and plaintext records and keeps going', async () => {
    const { store, plaintexts } = await seedStore(20);
    const tampered = store.get(recordId(5))!;
    store.put({ ...tampered, ciphertext: flipByteInField(tampered.ciphertext, 3, 2) });
    store.put({ id: recordId(6), ownerId: 'user-6', provider: 'openai', ciphertext: 'sk-legacy-plaintext-key-0123456789' });
    const report = await rotateKeys({ vault: newVault, store, batchSize: 7 });
    expect(report).toMatchObject({ scanned: 20, rotated: 18, plaintextRecordIds: [recordId(6)] });
    expect(report.failures.map((failure) => [failure.recordId, failure.keyId])).toEqual([[recordId(5), 'k1']]);
    expect(report.failures[0]!.error.message).toMatch(/master key id 'k1'/);
    expect(store.get(recordId(5))!.ciphertext).toMatch(/^v1:k1:/);
    expect(store.auditRows()).toHaveLength(18);
    expect(plaintexts.size).toBe(20);
  });

  it('stops between batches when aborted and validates its options', async () => {
    const { store } = await seedStore(30);
    const controller = new AbortController();
    const run = rotateKeys({ vault: newVault, store, batchSize: 10, signal: controller.signal, onBatch: () => controller.abort() });
    await expect(run).rejects.toThrow(/aborted; run it again to resume/);
    expect(store.auditRows()).toHaveLength(10);
    await expect(rotateKeys({ vault: newVault, store, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(rotateKeys({ vault: newVault, store, actor: '' })).rejects.toThrow(/actor/);
  });
});

describe('lazy re-encryption', () => {
  it('re-encrypts a record under an old key on read, once', async () => {
    const { store, plaintexts } = await seedStore(3);
    const record = store.get(recordId(1))!;
    const result = await decryptWithLazyReencryption({ vault: newVault, store, record, actor: 'user-1', now: fixedNow });
    expect(result.apiKey.reveal()).toBe(plaintexts.get(recordId(1)));
    expect(String(result.apiKey)).not.toContain(plaintexts.get(recordId(1))!.slice(8));
    expect(result.reencryption).toBe('written');
    expect(store.get(recordId(1))!.ciphertext).toBe(result.ciphertext);
    expect(newVault.keyIdOf(result.ciphertext)).toBe('k2');
    expect(store.auditRows()).toMatchObject([{ recordId: recordId(1), fromKeyId: 'k1', toKeyId: 'k2', actor: 'user-1', reason: 'lazy' }]);

    const second = await decryptWithLazyReencryption({ vault: newVault, store, record: store.get(recordId(1))! });
    expect(second.reencryption).toBe('not-needed');
    const stale = await decryptWithLazyReencryption({ vault: newVault, store, record });
    expect(stale.reencryption).toBe('conflict');
    expect(stale.apiKey.reveal()).toBe(plaintexts.get(recordId(1)));
    expect(store.auditRows()).toHaveLength(1);
  });

  it('still returns the key when the write-back fails, and reports the failure', async () => {
    const { store, plaintexts } = await seedStore(1);
    const failing = {
      appendRotationAudit: store.appendRotationAudit,
      compareAndSetCiphertext: async () => {
        throw new StorageError('database is read-only');
      },
    };
    const errors: unknown[] = [];
    const result = await decryptWithLazyReencryption({ vault: newVault, store: failing, record: store.get(recordId(0))!, onError: (error) => errors.push(error) });
    expect(result.reencryption).toBe('failed');
    expect(result.apiKey.reveal()).toBe(plaintexts.get(recordId(0)));
    expect(errors).toHaveLength(1);
    expect(store.get(recordId(0))!.ciphertext).toMatch(/^v1:k1:/);
  });

  it('a lazy read racing a rotation of the same record: one write wins, one audit row, nothing clobbered', async () => {
    const { store, plaintexts } = await seedStore(10);
    const staleRead = store.get(recordId(4))!;
    await rotateKeys({ vault: newVault, store });
    const afterRotation = store.get(recordId(4))!.ciphertext;
    const late = await decryptWithLazyReencryption({ vault: newVault, store, record: staleRead });
    expect(late.reencryption).toBe('conflict');
    expect(store.get(recordId(4))!.ciphertext).toBe(afterRotation);
    expectOneAuditRowPerRecord(store, plaintexts.keys());
  });

  it('runs concurrently with rotation and with keys being replaced, losing nothing', async () => {
    const count = 1_500;
    const { store, plaintexts } = await seedStore(count);
    // Widen the read→write window so reads, rotation writes and replacements interleave.
    const slowStore: RotatableKeyStore = {
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      appendRotationAudit: (rows) => store.appendRotationAudit(rows),
      async compareAndSetCiphertext(id, expected, next) {
        await new Promise((resolve) => setImmediate(resolve));
        return store.compareAndSetCiphertext(id, expected, next);
      },
    };
    const replaced = new Set<string>();
    const outcomes = new Map<string, number>();

    async function lazyReader(worker: number): Promise<void> {
      for (let index = worker; index < count; index += 4) {
        const id = recordId((index * 7919) % count);
        const record = store.get(id)!;
        const result = await decryptWithLazyReencryption({ vault: newVault, store: slowStore, record, actor: `reader-${worker}` });
        expect(result.apiKey.reveal()).toBe(plaintexts.get(id));
        outcomes.set(result.reencryption, (outcomes.get(result.reencryption) ?? 0) + 1);
      }
    }
    async function replacer(): Promise<void> {
      for (let index = 3; index < count; index += 50) {
        await new Promise((resolve) => setImmediate(resolve));
        const record = store.get(recordId(index))!;
        const apiKey = makeApiKey(index + 1_000_000);
        const binding = { ownerId: record.ownerId, provider: record.provider, recordId: record.id };
        const ciphertext = await newVault.encrypt(apiKey, binding);
        store.put({ ...record, ciphertext }); // keys.set is an upsert, not a compare-and-set
        plaintexts.set(record.id, apiKey);
        replaced.add(record.id);
      }
    }

    const [report] = await Promise.all([
      rotateKeys({ vault: newVault, store: slowStore, batchSize: 40, actor: 'rotation' }),
      lazyReader(0),
      lazyReader(1),
      lazyReader(2),
      lazyReader(3),
      replacer(),
    ]);

    await expectAllRotated(newVault, store, plaintexts);
    const untouched = [...plaintexts.keys()].filter((id) => !replaced.has(id));
    const rows = store.auditRows();
    const perRecord = new Map<string, number>();
    for (const row of rows) perRecord.set(row.recordId, (perRecord.get(row.recordId) ?? 0) + 1);
    for (const id of untouched) expect(perRecord.get(id), id).toBe(1);
    for (const count of perRecord.values()) expect(count).toBe(1);
    // Every k1 record was moved exactly once, by rotation or by a read (replaced ones may have been moved before being replaced).
    const written = outcomes.get('written') ?? 0;
    expect(report.rotated + written).toBeGreaterThanOrEqual(untouched.length);
    expect(report.rotated + written).toBeLessThanOrEqual(count);
    expect(outcomes.get('failed') ?? 0).toBe(0);
    // The race was really exercised: some writes lost a compare-and-set to another writer.
    expect(report.conflicts + (outcomes.get('conflict') ?? 0)).toBeGreaterThan(0);
  });
});
