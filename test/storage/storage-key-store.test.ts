import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/spec/storage';
import { createMemoryStorage, createStorageKeyStore } from '../../src/storage/memory';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';
import { createKeyVault, migratePlaintextKeys, rotateKeys } from '../../src/vault';

const oldKey = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
const newKey = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const time = Date.UTC(2025, 0, 1);

const backends: [string, () => Storage][] = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', () => createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(new Database(':memory:')) })],
];

describe.each(backends)('vault key rotation over %s storage', (_name, makeStorage) => {
  it('re-encrypts configuration and instance keys under the new key, audits, and is idempotent', async () => {
    const storage = makeStorage();
    const before = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: oldKey }], currentKeyId: 'k1' } });
    const after = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: oldKey }, { id: 'k2', key: newKey }], currentKeyId: 'k2' } });
    for (const [userId, provider] of [['alice', 'openai'], ['bob', 'anthropic'], ['carol', 'openai']] as const) {
      const id = `${userId}:${provider}`;
      const keyCiphertext = await before.encrypt(`sk-${userId}-secret-key-0123456789`, { ownerId: userId, provider, recordId: id });
      await storage.saveProviderConfig({ id, userId, provider, keyCiphertext, keyId: 'k1', keyHint: 'sk-...789', enabled: true, createdAt: time, updatedAt: time });
    }
    const instanceCiphertext = await before.encrypt('sk-instance-key-abcdefghij', { ownerId: 'alice', provider: 'inst-1', recordId: 'inst-1' });
    await storage.saveProviderInstance({ id: 'inst-1', ownerId: 'alice', name: 'vLLM', standard: 'openai-compatible', keyCiphertext: instanceCiphertext, keyId: 'k1', createdAt: time, updatedAt: time });

    const configs = createStorageKeyStore(storage, { now: () => time + 1 });
    const report = await rotateKeys({ vault: after, store: configs, actor: 'admin', batchSize: 2, now: () => new Date(time + 1) });
    expect(report).toMatchObject({ scanned: 3, rotated: 3, conflicts: 0, failures: [], plaintextRecordIds: [] });
    const instances = createStorageKeyStore(storage, { kind: 'provider-instance', now: () => time + 1 });
    expect(await rotateKeys({ vault: after, store: instances, actor: 'admin', now: () => new Date(time + 1) })).toMatchObject({ rotated: 1 });

    const alice = await storage.getProviderConfig('alice', 'alice:openai');
    expect(alice).toMatchObject({ keyId: 'k2', updatedAt: time + 1, keyHint: 'sk-...789' });
    expect(await after.decrypt(alice!.keyCiphertext, { ownerId: 'alice', provider: 'openai', recordId: 'alice:openai' })).toBe('sk-alice-secret-key-0123456789');
    const instance = await storage.getProviderInstance('alice', 'inst-1');
    expect(instance?.keyId).toBe('k2');
    expect(await after.decrypt(instance!.keyCiphertext!, { ownerId: 'alice', provider: 'inst-1', recordId: 'inst-1' })).toBe('sk-instance-key-abcdefghij');

    const audit = await storage.listKeyRotationAudit({});
    expect(audit).toHaveLength(4);
    expect(audit[0]).toMatchObject({ time: time + 1, fromKeyId: 'k1', toKeyId: 'k2', actor: 'admin', reason: 'rotation' });
    expect(JSON.stringify(audit)).not.toContain('sk-');

    const again = await rotateKeys({ vault: after, store: configs, now: () => new Date(time + 2) });
    expect(again).toMatchObject({ rotated: 0, alreadyCurrent: 3 });
    expect(await storage.listKeyRotationAudit({})).toHaveLength(4);
  });

  it('encrypts legacy plaintext values in place', async () => {
    const storage = makeStorage();
    const vault = createKeyVault({ masterKey: { keys: [{ id: 'k2', key: newKey }], currentKeyId: 'k2' } });
    await storage.saveProviderConfig({ id: 'dave:openai', userId: 'dave', provider: 'openai', keyCiphertext: 'sk-legacy-plaintext-0000111122', keyId: 'plaintext', keyHint: 'sk-...122', enabled: true, createdAt: time, updatedAt: time });
    const report = await migratePlaintextKeys({ vault, store: createStorageKeyStore(storage), now: () => new Date(time) });
    expect(report).toMatchObject({ encrypted: 1 });
    const record = await storage.getProviderConfig('dave', 'dave:openai');
    expect(record?.keyId).toBe('k2');
    expect(record?.keyCiphertext).not.toContain('legacy');
    expect(await vault.decrypt(record!.keyCiphertext, { ownerId: 'dave', provider: 'openai', recordId: 'dave:openai' })).toBe('sk-legacy-plaintext-0000111122');
    expect((await storage.listKeyRotationAudit({ ownerId: 'dave' }))[0]).toMatchObject({ fromKeyId: null, toKeyId: 'k2', reason: 'migration' });
  });
});
