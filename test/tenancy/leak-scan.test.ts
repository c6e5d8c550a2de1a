import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAI } from '../../src/providers';
import { createMemoryStorage } from '../../src/storage/memory';
import {
  createInstanceService,
  createKeyService,
  createUserScopeLoader,
  createVaultKeyStore,
} from '../../src/tenancy';
import { createKeyVault, rotateKeys } from '../../src/vault';
import { readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { base64MasterKey, hexMasterKey, otherHexMasterKey, printedForms } from '../vault/vault-test-helpers';
import { caught, userKeys } from './tenancy-backends';

// Any of these substrings in a printed form is a leak: the middle of every API key (the mask shows only
// the first five and last three characters) and pieces of every master key.
const apiKeys = [...Object.values(userKeys), 'sk-rejected-Rk1Rk2Rk3Rk4Rk5Rk6Rk7Rk8'];
const forbidden = [
  ...apiKeys.flatMap((key) => [key.slice(5, -3), key.slice(8, 20)]),
  hexMasterKey.slice(0, 16),
  hexMasterKey.slice(-16),
  otherHexMasterKey.slice(8, 24),
  base64MasterKey.slice(0, 16),
];

async function expectNoLeak(label: string, value: unknown): Promise<void> {
  for (const printed of await printedForms(value)) {
    for (const secret of forbidden) expect(printed, `${label} leaks`).not.toContain(secret);
  }
}

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

describe('tenancy leak scan', () => {
  it('the scan catches a leak (control)', async () => {
    await expect(expectNoLeak('control', { nested: [{ key: userKeys.instance }] })).rejects.toThrow(/control leaks/);
  });

  it('no object returned and no error thrown by the key service, instance service, scope loader or rotation prints key material', async () => {
    const storage = createMemoryStorage();
    const vault = createKeyVault({ masterKey: hexMasterKey, keyId: 'k1' });
    const keys = createKeyService({ storage, vault, providers: [createOpenAI({ baseUrl: server.url })], fetch: globalThis.fetch });
    const instances = createInstanceService({ storage, vault });
    const scope = createUserScopeLoader({ storage, keys, instances });
    const scanned: Array<[string, unknown]> = [['key service', keys], ['instance service', instances], ['scope loader', scope], ['vault', vault]];

    // Keys: every operation's result, with the key echoed back by a provider error.
    scanned.push(['keys.set', await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice, label: 'mine' })]);
    scanned.push(['keys.setManaged', await keys.setManaged({ provider: 'openai', apiKey: userKeys.managed })]);
    scanned.push(['keys.list', await keys.list('alice')], ['keys.listManaged', await keys.listManaged()]);
    server.enqueue({ body: JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }) });
    scanned.push(['keys.test valid', await keys.test({ userId: 'alice', provider: 'openai' })]);
    server.enqueue({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${userKeys.alice}`, type: 'invalid_request_error', code: 'invalid_api_key' } }) });
    scanned.push(['keys.test invalid (key echoed by the provider)', await keys.test({ userId: 'alice', provider: 'openai' })]);
    server.enqueue({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${apiKeys[4]}` } }) });
    scanned.push(['keys.test of a candidate key', await keys.test({ userId: 'bob', provider: 'openai', apiKey: apiKeys[4]! })]);
    const credentials = await keys.resolveCredentials({ userId: 'alice', provider: 'openai' });
    expect(credentials.apiKey!.reveal()).toBe(userKeys.alice);
    scanned.push(['resolveCredentials byok', credentials], ['resolveCredentials managed', await keys.resolveCredentials({ userId: 'bob', provider: 'openai' })]);
    scanned.push(['keys.set with a bad key', await caught(() => keys.set({ userId: 'alice', provider: 'openai', apiKey: `${userKeys.bob}\n` }))]);
    scanned.push(['keys.set for an unknown provider', await caught(() => keys.set({ userId: 'alice', provider: 'unknown', apiKey: userKeys.bob }))]);
    scanned.push(['keys.set with a non-string key', await caught(() => keys.set({ userId: 'alice', provider: 'openai', apiKey: { value: userKeys.bob } as never }))]);
    scanned.push(['keys.remove', await keys.remove({ userId: 'alice', provider: 'none' })]);

    // Instances: views, the callable provider, and errors from calls through it.
    await instances.seedSystemDefinitions();
    scanned.push(['listDefinitions', await instances.listDefinitions('alice')]);
    scanned.push(['createInstance', await instances.createInstance('alice', { id: 'alice-emb', definitionId: 'system.openai.text-embedding-3-small', apiKey: userKeys.instance, baseUrl: server.url })]);
    await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-emb', withUserId: 'bob' });
    scanned.push(['listInstances owner', await instances.listInstances('alice')], ['listInstances sharee', await instances.listInstances('bob')]);
    scanned.push(['getInstance sharee', await instances.getInstance('bob', 'alice-emb')]);
    const provider = await instances.resolveProvider('bob', 'alice-emb');
    scanned.push(['resolved provider', provider]);
    server.enqueue({ body: readFixture('openai/openai-embedding.json') });
    scanned.push(['embed dimension mismatch', await caught(() => provider.embed!({ model: 'text-embedding-3-small', input: ['a', 'b'] }, { fetch: globalThis.fetch }))]);
    server.enqueue({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${userKeys.instance}`, code: 'invalid_api_key' } }) });
    scanned.push(['chat 401 echoing the instance key', await caught(() => provider.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { fetch: globalThis.fetch }))]);
    scanned.push(['update by sharee', await caught(() => instances.updateInstance('bob', 'alice-emb', { apiKey: userKeys.bob }))]);
    scanned.push(['updateInstance', await instances.updateInstance('alice', 'alice-emb', { apiKey: userKeys.bob })]);
    scanned.push(['createInstance with a bad key', await caught(() => instances.createInstance('alice', { standard: 'openai', apiKey: ` ${userKeys.alice}` }))]);

    // Scope, tampering and rotation.
    scanned.push(['user scope', await scope.load('alice')], ['user scope sharee', await scope.load('bob')]);
    const [bobConfig] = await storage.listProviderConfigs('bob');
    const [aliceConfig] = await storage.listProviderConfigs('alice');
    expect(bobConfig).toBeUndefined();
    await keys.set({ userId: 'bob', provider: 'openai', apiKey: userKeys.bob });
    const [bobRecord] = await storage.listProviderConfigs('bob');
    await storage.saveProviderConfig({ ...bobRecord!, keyCiphertext: aliceConfig!.keyCiphertext });
    scanned.push(['swapped ciphertext', await caught(() => keys.resolveCredentials({ userId: 'bob', provider: 'openai' }))]);
    const wrongMaster = createKeyService({ storage, vault: createKeyVault({ masterKey: otherHexMasterKey, keyId: 'k1' }) });
    scanned.push(['wrong master key', await caught(() => wrongMaster.resolveCredentials({ userId: 'alice', provider: 'openai' }))]);
    scanned.push(['missing vault', await caught(() => createKeyService({ storage, vault: undefined as never }))]);
    const ring = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: base64MasterKey }], currentKeyId: 'k2' } });
    const report = await rotateKeys({ vault: ring, store: createVaultKeyStore(storage), actor: 'admin' });
    expect(report.rotated).toBeGreaterThan(0);
    expect(report.failures).toHaveLength(1); // Bob's swapped row stays as the attacker left it.
    scanned.push(['rotation report', report], ['audit rows', await storage.listKeyRotationAudit({})], ['encrypted key listing', await createVaultKeyStore(storage).listEncryptedKeys({ limit: 100 })]);

    for (const [label, value] of scanned) await expectNoLeak(label, value);
  });
});
