import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';
import { createInstanceService, createKeyService, createVaultKeyStore, providerConfigBinding, providerConfigId, providerInstanceBinding } from '../../src/tenancy';
import { createKeyVault, maskApiKey, migratePlaintextKeys, rotateKeys, type RotatableKeyStore } from '../../src/vault';
import { hexMasterKey, otherHexMasterKey } from '../vault/vault-test-helpers';
import { tenancyBackends } from './tenancy-backends';

const oldVault = createKeyVault({ masterKey: hexMasterKey, keyId: 'k1' });
const ringVault = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' } });
const fixedNow = () => new Date('2025-06-01T12:00:00.000Z');

function openFile(file: string) {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  return { database, storage: createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) }) };
}

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('rotation through the vault key store on SQLite (file, WAL)', () => {
  it('rotates 10,000 keys of both tables, survives the database going away mid-run, resumes, loses none and audits each once', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-tenancy-rotation-'));
    directories.push(directory);
    const file = join(directory, 'keys.db');
    const first = openFile(file);
    await first.storage.migrate();

    // 9,000 BYOK keys (90 users × 100 providers) and 1,000 instance keys, stored as the services store
    // them (same ids and bindings; written straight to storage to keep the test quick).
    const plaintexts = new Map<string, string>();
    for (let user = 0; user < 90; user += 1) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, provider) => {
          const userId = `user-${user}`;
          const apiKey = `sk-u${user}-p${provider}-${'x'.repeat(12)}${(user * 100 + provider).toString(36).padStart(6, '0')}`;
          const record = { id: await providerConfigId(userId, `provider-${provider}`), userId, provider: `provider-${provider}` };
          const keyCiphertext = await oldVault.encrypt(apiKey, providerConfigBinding(record));
          await first.storage.saveProviderConfig({ ...record, keyCiphertext, keyId: 'k1', keyHint: maskApiKey(apiKey), enabled: true, createdAt: 1, updatedAt: 1 });
          plaintexts.set(`provider-config:${record.id}`, apiKey);
        }),
      );
    }
    await Promise.all(
      Array.from({ length: 1_000 }, async (_, index) => {
        const id = `inst-${String(index).padStart(4, '0')}`;
        const ownerId = `user-${index % 90}`;
        const apiKey = `sk-inst-${index}-${'y'.repeat(16)}`;
        const keyCiphertext = await oldVault.encrypt(apiKey, providerInstanceBinding({ id, ownerId }));
        await first.storage.saveProviderInstance({ id, ownerId, name: id, standard: 'openai', keyCiphertext, keyId: 'k1', keyHint: maskApiKey(apiKey), createdAt: 1, updatedAt: 1 });
        plaintexts.set(`provider-instance:${id}`, apiKey);
      }),
    );
    // The services read what was seeded, so the bindings are theirs.
    expect((await createKeyService({ storage: first.storage, vault: oldVault }).resolveCredentials({ userId: 'user-3', provider: 'provider-4' })).apiKey!.reveal()).toBe(
      plaintexts.get(`provider-config:${await providerConfigId('user-3', 'provider-4')}`),
    );
    expect((await createInstanceService({ storage: first.storage, vault: oldVault }).resolveProvider('user-5', 'inst-0005')).hasApiKey).toBe(true);
    expect(plaintexts.size).toBe(10_000);

    // The process loses its database after 4,321 re-encrypted keys were written.
    const store = createVaultKeyStore(first.storage);
    let writes = 0;
    const crashing: RotatableKeyStore = {
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      appendRotationAudit: (rows) => store.appendRotationAudit(rows),
      async compareAndSetCiphertext(id, expected, next) {
        if (writes === 4_321) first.database.close();
        writes += 1;
        return store.compareAndSetCiphertext(id, expected, next);
      },
    };
    await expect(rotateKeys({ vault: ringVault, store: crashing, actor: 'admin-7', batchSize: 250, now: fixedNow })).rejects.toThrow();
    expect(first.database.open).toBe(false);

    // A new process opens the same file and runs the rotation again.
    const second = openFile(file);
    const resumedStore = createVaultKeyStore(second.storage);
    const halfway = second.database.prepare("SELECT COUNT(*) AS count FROM switchyard_provider_configs WHERE key_id = 'k2'").get() as { count: number };
    expect(halfway.count).toBe(4_321);
    const report = await rotateKeys({ vault: ringVault, store: resumedStore, actor: 'admin-7', batchSize: 250, now: fixedNow });
    expect(report).toMatchObject({ toKeyId: 'k2', scanned: 10_000, rotated: 10_000 - 4_321, alreadyCurrent: 4_321, conflicts: 0 });
    expect(report.failures).toEqual([]);
    expect(report.plaintextRecordIds).toEqual([]);

    // Every key decrypts under the new key with its binding, to exactly what was stored.
    const listed = await resumedStore.listEncryptedKeys({ limit: 20_000 });
    expect(listed).toHaveLength(10_000);
    const decrypted = await Promise.all(listed.map((record) => ringVault.decrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id })));
    listed.forEach((record, index) => {
      expect(ringVault.keyIdOf(record.ciphertext)).toBe('k2');
      expect(decrypted[index]).toBe(plaintexts.get(record.id));
    });
    const stale = second.database.prepare("SELECT (SELECT COUNT(*) FROM switchyard_provider_configs WHERE key_id <> 'k2') + (SELECT COUNT(*) FROM switchyard_provider_instances WHERE key_id <> 'k2') AS count").get() as { count: number };
    expect(stale.count).toBe(0);
    // And through the services, with only the new key's vault... after the ring is retired.
    const newOnly = createKeyVault({ masterKey: otherHexMasterKey, keyId: 'k2' });
    const resolved = await createKeyService({ storage: second.storage, vault: newOnly }).resolveCredentials({ userId: 'user-42', provider: 'provider-7' });
    expect(resolved.apiKey!.reveal()).toBe(plaintexts.get(`provider-config:${await providerConfigId('user-42', 'provider-7')}`));

    // One audit row per key, none twice, none holding key material.
    const audit = second.database.prepare("SELECT COUNT(*) AS total, COUNT(DISTINCT json_extract(data, '$.kind') || ':' || json_extract(data, '$.recordId')) AS distinctRecords FROM switchyard_key_rotation_audit").get() as { total: number; distinctRecords: number };
    expect(audit).toEqual({ total: 10_000, distinctRecords: 10_000 });
    const rows = await second.storage.listKeyRotationAudit({ limit: 10_000 });
    for (const row of rows) expect(row).toMatchObject({ fromKeyId: 'k1', toKeyId: 'k2', actor: 'admin-7', reason: 'rotation', time: fixedNow().getTime() });
    expect(rows.filter((row) => row.kind === 'provider-instance')).toHaveLength(1_000);
    const auditText = (second.database.prepare('SELECT data FROM switchyard_key_rotation_audit').all() as { data: string }[]).map((row) => row.data).join('\n');
    expect(auditText).not.toContain('v1:');
    for (const plaintext of [...plaintexts.values()].filter((_, index) => index % 50 === 0)) expect(auditText).not.toContain(plaintext);

    const again = await rotateKeys({ vault: ringVault, store: resumedStore, batchSize: 1_000 });
    expect(again).toMatchObject({ scanned: 10_000, rotated: 0, alreadyCurrent: 10_000 });
    second.database.close();
  }, 120_000);
});

for (const backend of tenancyBackends) {
  describe(`vault key store on ${backend.name}`, () => {
    it('lists both tables as one ascending id space and pages across the boundary', async () => {
      const { storage, close } = await backend.open();
      try {
        const keys = createKeyService({ storage, vault: oldVault });
        const instances = createInstanceService({ storage, vault: oldVault });
        await keys.set({ userId: 'alice', provider: 'openai', apiKey: 'sk-alice-aaaaaaaaaaaaaaaaaaaa' });
        await keys.set({ userId: 'bob', provider: 'openai', apiKey: 'sk-bob-bbbbbbbbbbbbbbbbbbbbbb' });
        await instances.createInstance('alice', { id: 'a-inst', standard: 'openai', apiKey: 'sk-inst-cccccccccccccccccccc' });
        await instances.createInstance('alice', { id: 'b-inst', standard: 'openai' });
        const store = createVaultKeyStore(storage);
        const all = await store.listEncryptedKeys({ limit: 10 });
        expect(all.map((record) => `${record.id}|${record.ownerId}|${record.provider}`)).toEqual([
          'provider-config:alice:openai|alice|openai',
          'provider-config:bob:openai|bob|openai',
          'provider-instance:a-inst|alice|a-inst',
        ]);
        const firstPage = await store.listEncryptedKeys({ limit: 1 });
        const secondPage = await store.listEncryptedKeys({ limit: 1, afterId: firstPage[0]!.id });
        const thirdPage = await store.listEncryptedKeys({ limit: 5, afterId: secondPage[0]!.id });
        expect([...firstPage, ...secondPage, ...thirdPage].map((record) => record.id)).toEqual(all.map((record) => record.id));
        expect(await store.listEncryptedKeys({ limit: 5, afterId: 'provider-instance:a-inst' })).toEqual([]);
      } finally {
        await close();
      }
    });

    it('migratePlaintextKeys encrypts a plaintext key left in storage, bound like the services bind it', async () => {
      const { storage, close } = await backend.open();
      try {
        const id = await providerConfigId('carol', 'openai');
        const legacyKey = 'sk-legacy-plaintext-Lp1Lq2Lr3Ls4Lt5';
        await storage.saveProviderConfig({ id, userId: 'carol', provider: 'openai', keyCiphertext: legacyKey, keyId: 'none', keyHint: 'sk-le...Lt5', enabled: true, createdAt: 1, updatedAt: 1 });
        const report = await migratePlaintextKeys({ vault: ringVault, store: createVaultKeyStore(storage), actor: 'ops' });
        expect(report).toMatchObject({ scanned: 1, encrypted: 1 });
        const stored = await storage.getProviderConfig('carol', id);
        expect(stored!.keyCiphertext).toMatch(/^v1:k2:/);
        expect(stored!.keyId).toBe('k2');
        expect(await ringVault.decrypt(stored!.keyCiphertext, providerConfigBinding(stored!))).toBe(legacyKey);
        const resolved = await createKeyService({ storage, vault: ringVault }).resolveCredentials({ userId: 'carol', provider: 'openai' });
        expect(resolved.apiKey!.reveal()).toBe(legacyKey);
        expect(await storage.listKeyRotationAudit({ ownerId: 'carol' })).toEqual([expect.objectContaining({ fromKeyId: null, toKeyId: 'k2', actor: 'ops', reason: 'migration' })]);
      } finally {
        await close();
      }
    });
  });
}
