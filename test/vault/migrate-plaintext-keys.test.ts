import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { createKeyVault, createMemoryKeyStore, migratePlaintextKeys, type RotatableKeyStore } from '../../src/vault';
import { hexMasterKey } from './vault-test-helpers';

const vault = createKeyVault({ masterKey: hexMasterKey, keyId: 'k1' });

function legacyKey(index: number): string {
  return `sk-legacy-${index}-abcdefghijklmnopqrstuvwxyz`;
}

async function seed(): Promise<ReturnType<typeof createMemoryKeyStore>> {
  const store = createMemoryKeyStore();
  for (let index = 0; index < 120; index += 1) {
    const id = `rec-${String(index).padStart(4, '0')}`;
    const binding = { ownerId: `user-${index % 5}`, provider: 'openai', recordId: id };
    const value = index % 3 === 0 ? await vault.encrypt(`sk-already-${index}-abcdefghijklmnop`, binding) : legacyKey(index);
    store.put({ id, ownerId: binding.ownerId, provider: binding.provider, ciphertext: value });
  }
  store.put({ id: 'rec-empty', ownerId: 'user-x', provider: 'groq', ciphertext: '' });
  return store;
}

describe('migratePlaintextKeys', () => {
  it('encrypts every plaintext key in place, bound to its record, with one audit row each', async () => {
    const store = await seed();
    const dry = await migratePlaintextKeys({ vault, store, dryRun: true, batchSize: 25 });
    expect(dry).toMatchObject({ scanned: 121, encrypted: 80, alreadyEncrypted: 40, emptyRecordIds: ['rec-empty'] });
    expect(store.auditRows()).toHaveLength(0);

    const report = await migratePlaintextKeys({ vault, store, actor: 'ops', batchSize: 25, now: () => new Date('2025-01-01T00:00:00Z') });
    expect(report).toMatchObject({ scanned: 121, encrypted: 80, alreadyEncrypted: 40, conflicts: 0, emptyRecordIds: ['rec-empty'] });
    for (let index = 0; index < 120; index += 1) {
      const record = store.get(`rec-${String(index).padStart(4, '0')}`)!;
      expect(record.ciphertext).toMatch(/^v1:k1:/);
      const plaintext = await vault.decrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id });
      expect(plaintext).toBe(index % 3 === 0 ? `sk-already-${index}-abcdefghijklmnop` : legacyKey(index));
    }
    const rows = store.auditRows();
    expect(rows).toHaveLength(80);
    expect(rows[0]).toMatchObject({ fromKeyId: null, toKeyId: 'k1', actor: 'ops', reason: 'migration', at: '2025-01-01T00:00:00.000Z' });
    expect(JSON.stringify(rows)).not.toContain('sk-legacy');

    const again = await migratePlaintextKeys({ vault, store });
    expect(again).toMatchObject({ encrypted: 0, alreadyEncrypted: 120 });
    expect(store.auditRows()).toHaveLength(80);
  });

  it('resumes after a crash without double encryption or duplicate audit rows', async () => {
    const store = await seed();
    let writes = 0;
    const crashing: RotatableKeyStore = {
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      appendRotationAudit: (rows) => store.appendRotationAudit(rows),
      async compareAndSetCiphertext(id, expected, next) {
        if (writes === 33) throw new StorageError('injected crash');
        writes += 1;
        return store.compareAndSetCiphertext(id, expected, next);
      },
    };
    const error = await migratePlaintextKeys({ vault, store: crashing, batchSize: 30 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(JSON.stringify(error)).not.toContain('sk-legacy');
    const report = await migratePlaintextKeys({ vault, store, batchSize: 30 });
    expect(report.encrypted).toBe(80 - 33);
    expect(store.auditRows()).toHaveLength(80);
    expect(new Set(store.auditRows().map((row) => row.recordId)).size).toBe(80);
  });

  it('does not overwrite a key replaced while it migrates', async () => {
    const store = createMemoryKeyStore([{ id: 'r1', ownerId: 'u', provider: 'openai', ciphertext: legacyKey(1) }]);
    const racing: RotatableKeyStore = {
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      appendRotationAudit: (rows) => store.appendRotationAudit(rows),
      async compareAndSetCiphertext(id, expected, next) {
        const replaced = await vault.encrypt('sk-replaced-by-user-0123456789', { ownerId: 'u', provider: 'openai', recordId: 'r1' });
        store.put({ id: 'r1', ownerId: 'u', provider: 'openai', ciphertext: replaced });
        return store.compareAndSetCiphertext(id, expected, next);
      },
    };
    const report = await migratePlaintextKeys({ vault, store: racing });
    expect(report).toMatchObject({ encrypted: 0, conflicts: 1 });
    expect(await vault.decrypt(store.get('r1')!.ciphertext, { ownerId: 'u', provider: 'openai', recordId: 'r1' })).toBe('sk-replaced-by-user-0123456789');
  });
});
