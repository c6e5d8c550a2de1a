import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAI, createOllama } from '../../src/providers';
import type { Storage } from '../../src/spec/storage';
import { systemOwnerId } from '../../src/storage/memory';
import { createKeyService, createVaultKeyStore, providerConfigBinding, providerConfigId, type KeyService } from '../../src/tenancy';
import { createKeyVault } from '../../src/vault';
import { startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { hexMasterKey, otherHexMasterKey } from '../vault/vault-test-helpers';
import { caught, createTestVault, tenancyBackends, userKeys } from './tenancy-backends';

const modelsBody = JSON.stringify({
  object: 'list',
  data: [
    { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
    { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
  ],
});
// OpenAI's documented 401 body; the message echoes a masked key, as the real one does.
const unauthorizedBody = JSON.stringify({
  error: { message: 'Incorrect API key provided: sk-alice-****************Ez. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
});

let server: ReplayServer;
let refusedUrl: string;
beforeAll(async () => {
  server = await startReplayServer();
  const closed = await startReplayServer();
  refusedUrl = closed.url;
  await closed.close();
});
afterAll(() => server.close());

for (const backend of tenancyBackends) {
  describe(`key service on ${backend.name}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    let keys: KeyService;
    let time = 1_750_000_000_000;
    const changed: string[] = [];

    beforeEach(async () => {
      ({ storage, close } = await backend.open());
      changed.length = 0;
      keys = createKeyService({
        storage,
        vault: createTestVault(),
        providers: [createOpenAI({ baseUrl: server.url }), createOpenAI({ id: 'down', baseUrl: refusedUrl }), createOllama(), createOpenAI({ id: 'hosted', apiKey: userKeys.managed, baseUrl: server.url })],
        now: () => time,
        onChange: (owner) => changed.push(owner),
      });
    });
    afterEach(() => close());

    it('set stores only ciphertext, key id and mask; list shows the mask', async () => {
      const info = await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice, label: 'personal' });
      expect(info).toEqual({ provider: 'openai', keySource: 'byok', keyHint: 'sk-al...0Ez', label: 'personal', enabled: true, vaultKeyId: 'k1', createdAt: time, updatedAt: time });
      expect(changed).toEqual(['alice']);
      const [stored] = await storage.listProviderConfigs('alice');
      expect(stored!.keyCiphertext).toMatch(/^v1:k1:/);
      expect(JSON.stringify(stored)).not.toContain(userKeys.alice);
      expect(stored!.keyHint).toBe('sk-al...0Ez');
      expect(await keys.list('alice')).toEqual([info]);
      expect(await keys.list('bob')).toEqual([]);
    });

    it('set again replaces the key and keeps createdAt', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      time += 1000;
      const replaced = await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.bob });
      expect(replaced).toMatchObject({ keyHint: 'sk-bo...0Ga', createdAt: time - 1000, updatedAt: time });
      expect(await keys.list('alice')).toHaveLength(1);
      const resolved = await keys.resolveCredentials({ userId: 'alice', provider: 'openai' });
      expect(resolved.apiKey!.reveal()).toBe(userKeys.bob);
    });

    it('rejects bad input with the field named and the key never echoed', async () => {
      const spaced = await caught(() => keys.set({ userId: 'alice', provider: 'openai', apiKey: `${userKeys.alice} ` }));
      expect(spaced.name).toBe('InvalidRequestError');
      expect(spaced.message).toMatch(/apiKey/);
      expect(spaced.message).not.toContain('Qm4Rt7');
      expect((await caught(() => keys.set({ userId: '', provider: 'openai', apiKey: userKeys.alice }))).message).toMatch(/userId must not be empty/);
      expect((await caught(() => keys.set({ userId: systemOwnerId, provider: 'openai', apiKey: userKeys.alice }))).message).toMatch(/userId is reserved/);
      expect((await caught(() => keys.set({ userId: 'alice', provider: 'nope', apiKey: userKeys.alice }))).message).toMatch(/provider 'nope' is not configured/);
      expect((await caught(() => keys.set({ userId: 'alice', provider: 'a b', apiKey: userKeys.alice }))).message).toMatch(/provider must be letters/);
    });

    it('remove deletes only that key', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      await keys.set({ userId: 'alice', provider: 'hosted', apiKey: userKeys.alice });
      expect(await keys.remove({ userId: 'alice', provider: 'openai' })).toBe(true);
      expect(await keys.remove({ userId: 'alice', provider: 'openai' })).toBe(false);
      expect((await keys.list('alice')).map((key) => key.provider)).toEqual(['hosted']);
    });

    it('test: 200 → valid, with the decrypted key sent as the bearer token', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      server.enqueue({ body: modelsBody });
      const result = await keys.test({ userId: 'alice', provider: 'openai' });
      expect(result).toMatchObject({ provider: 'openai', status: 'valid', keySource: 'byok', keyHint: 'sk-al...0Ez', modelCount: 2 });
      const request = server.requests.at(-1)!;
      expect(request).toMatchObject({ method: 'GET', url: '/models' });
      expect(request.headers.authorization).toBe(`Bearer ${userKeys.alice}`);
    });

    it('test: 401 → invalid with AuthenticationError, and nothing of the key in the result', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      server.enqueue({ status: 401, body: unauthorizedBody });
      const result = await keys.test({ userId: 'alice', provider: 'openai' });
      expect(result).toMatchObject({ status: 'invalid', errorClass: 'AuthenticationError', httpStatus: 401 });
      expect(JSON.stringify(result)).not.toContain(userKeys.alice);
    });

    it('test: connection refused → unreachable with NetworkError', async () => {
      await keys.set({ userId: 'alice', provider: 'down', apiKey: userKeys.alice });
      const result = await keys.test({ userId: 'alice', provider: 'down' });
      expect(result).toMatchObject({ provider: 'down', status: 'unreachable', errorClass: 'NetworkError' });
    });

    it('test: 503 → unreachable; an unsaved candidate key can be tested too', async () => {
      server.enqueue({ status: 503, body: JSON.stringify({ error: { message: 'The server is overloaded', type: 'server_error' } }) });
      const result = await keys.test({ userId: 'bob', provider: 'openai', apiKey: userKeys.bob });
      expect(result.status).toBe('unreachable');
      expect(['ServerError', 'OverloadedError']).toContain(result.errorClass);
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.bob}`);
      expect(await keys.list('bob')).toEqual([]);
    });

    it('test without a stored key is a typed error', async () => {
      const error = await caught(() => keys.test({ userId: 'alice', provider: 'openai' }));
      expect(error.name).toBe('InvalidRequestError');
      expect(error.message).toMatch(/no key stored for provider 'openai'/);
    });

    it('resolveCredentials: byok first, then managed (stored, then adapter), local needs none, else AuthenticationError', async () => {
      const none = await caught(() => keys.resolveCredentials({ userId: 'alice', provider: 'openai' }));
      expect(none.name).toBe('AuthenticationError');
      expect(await keys.resolveCredentials({ userId: 'alice', provider: 'ollama' })).toEqual({ provider: 'ollama', keySource: 'local' });
      expect(await keys.resolveCredentials({ userId: 'alice', provider: 'hosted' })).toEqual({ provider: 'hosted', keySource: 'managed' });
      expect(await keys.resolveCredentials({ provider: 'hosted' })).toEqual({ provider: 'hosted', keySource: 'managed' });

      await keys.setManaged({ provider: 'openai', apiKey: userKeys.managed });
      const managed = await keys.resolveCredentials({ userId: 'alice', provider: 'openai' });
      expect(managed).toMatchObject({ provider: 'openai', keySource: 'managed', keyHint: 'sk-ho...0Lm' });
      expect(managed.apiKey!.reveal()).toBe(userKeys.managed);
      expect((await keys.resolveCredentials({ provider: 'openai' })).apiKey!.reveal()).toBe(userKeys.managed);

      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      const own = await keys.resolveCredentials({ userId: 'alice', provider: 'openai' });
      expect(own).toMatchObject({ keySource: 'byok', keyHint: 'sk-al...0Ez' });
      expect(own.apiKey!.reveal()).toBe(userKeys.alice);
      expect((await keys.resolveCredentials({ userId: 'bob', provider: 'openai' })).keySource).toBe('managed');
    });

    it('managed keys are the system owner\'s, listed apart from users\' keys', async () => {
      await keys.setManaged({ provider: 'openai', apiKey: userKeys.managed });
      expect(changed).toEqual([systemOwnerId]);
      expect(await keys.listManaged()).toEqual([expect.objectContaining({ provider: 'openai', keySource: 'managed', keyHint: 'sk-ho...0Lm' })]);
      expect(await keys.list('alice')).toEqual([]);
      server.enqueue({ body: modelsBody });
      expect(await keys.testManaged({ provider: 'openai' })).toMatchObject({ status: 'valid', keySource: 'managed' });
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.managed}`);
      expect(await keys.removeManaged({ provider: 'openai' })).toBe(true);
      expect(await keys.listManaged()).toEqual([]);
    });

    it('reads re-encrypt lazily under the newest master key, with an audit row naming the reader', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      const ring = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' } });
      const rotatedKeys = createKeyService({ storage, vault: ring, now: () => time });
      const resolved = await rotatedKeys.resolveCredentials({ userId: 'alice', provider: 'openai' });
      expect(resolved.apiKey!.reveal()).toBe(userKeys.alice);
      const [stored] = await storage.listProviderConfigs('alice');
      expect(stored!.keyCiphertext).toMatch(/^v1:k2:/);
      expect(stored!.keyId).toBe('k2');
      expect((await rotatedKeys.list('alice'))[0]!.vaultKeyId).toBe('k2');
      const audit = await storage.listKeyRotationAudit({ ownerId: 'alice' });
      expect(audit).toEqual([
        expect.objectContaining({ kind: 'provider-config', recordId: stored!.id, ownerId: 'alice', provider: 'openai', fromKeyId: 'k1', toKeyId: 'k2', actor: 'alice', reason: 'lazy' }),
      ]);
      // The old-key-only vault can no longer read it; the ring still can, without another write.
      expect((await caught(() => keys.resolveCredentials({ userId: 'alice', provider: 'openai' }))).name).toBe('VaultError');
      await rotatedKeys.resolveCredentials({ userId: 'alice', provider: 'openai' });
      expect(await storage.listKeyRotationAudit({})).toHaveLength(1);
    });

    it('binds each ciphertext to owner, provider and record: a swapped ciphertext does not decrypt', async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      await keys.set({ userId: 'bob', provider: 'openai', apiKey: userKeys.bob });
      await keys.set({ userId: 'bob', provider: 'hosted', apiKey: userKeys.bob });
      const [aliceRecord] = await storage.listProviderConfigs('alice');
      const bobRecords = await storage.listProviderConfigs('bob');
      const bobOpenAI = bobRecords.find((record) => record.provider === 'openai')!;
      const bobHosted = bobRecords.find((record) => record.provider === 'hosted')!;
      expect(providerConfigBinding(aliceRecord!)).toEqual({ ownerId: 'alice', provider: 'openai', recordId: `provider-config:${aliceRecord!.id}` });

      // An attacker with database access copies Alice's ciphertext into Bob's rows.
      await storage.saveProviderConfig({ ...bobOpenAI, keyCiphertext: aliceRecord!.keyCiphertext });
      const swappedOwner = await caught(() => keys.resolveCredentials({ userId: 'bob', provider: 'openai' }));
      expect(swappedOwner.name).toBe('VaultError');
      expect(String(swappedOwner.message)).not.toContain(userKeys.alice);
      await storage.saveProviderConfig({ ...bobHosted, keyCiphertext: bobOpenAI.keyCiphertext });
      expect((await caught(() => keys.resolveCredentials({ userId: 'bob', provider: 'hosted' }))).name).toBe('VaultError');
      // Alice's own key is untouched.
      expect((await keys.resolveCredentials({ userId: 'alice', provider: 'openai' })).apiKey!.reveal()).toBe(userKeys.alice);
    });

    it('long user and provider ids get a fixed-length digest id that still fits audit ids', async () => {
      const longUser = `user-${'x'.repeat(180)}`;
      const id = await providerConfigId(longUser, 'openai');
      expect(id).toMatch(/^sha256-[0-9a-f]{40}$/);
      await keys.set({ userId: longUser, provider: 'openai', apiKey: userKeys.alice });
      expect((await keys.resolveCredentials({ userId: longUser, provider: 'openai' })).apiKey!.reveal()).toBe(userKeys.alice);
      const [listed] = await createVaultKeyStore(storage).listEncryptedKeys({ limit: 10 });
      expect(listed).toMatchObject({ id: `provider-config:${id}`, ownerId: longUser, provider: 'openai' });
    });
  });
}
