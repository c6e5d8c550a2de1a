import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/spec/storage';
import { createInstanceService, createKeyService, createUserScopeLoader, type InstanceService, type KeyService, type UserScopeLoader } from '../../src/tenancy';
import { caught, createTestVault, tenancyBackends, userKeys } from './tenancy-backends';

for (const backend of tenancyBackends) {
  describe(`user scope on ${backend.name}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    let keys: KeyService;
    let instances: InstanceService;
    let scopes: UserScopeLoader;
    let time = 1_000_000;
    let storageReads = 0;

    beforeEach(async () => {
      ({ storage, close } = await backend.open());
      const vault = createTestVault();
      // Count reads of the scope's own queries to see the cache work.
      const counted: Storage = { ...storage, getFallbackRules: (userId) => ((storageReads += 1), storage.getFallbackRules(userId)) };
      const invalidate = (userId: string) => scopes.invalidate(userId);
      keys = createKeyService({ storage, vault, onChange: invalidate });
      instances = createInstanceService({ storage, vault, onChange: invalidate });
      scopes = createUserScopeLoader({ storage: counted, keys, instances, resolveTier: (userId) => (userId === 'alice' ? 'pro' : undefined), ttlMs: 5_000, now: () => time });
      storageReads = 0;
      await instances.seedSystemDefinitions();
    });
    afterEach(() => close());

    it("holds the user's masked keys, own and shared instances, fallback rules, budgets and tier", async () => {
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat', apiKey: userKeys.instance });
      await instances.createInstance('bob', { id: 'bob-chat', definitionId: 'system.anthropic.chat', apiKey: userKeys.bob });
      await instances.shareInstance({ ownerId: 'bob', instanceId: 'bob-chat', withUserId: 'alice' });
      await storage.saveFallbackRules('alice', [{ id: 'default', models: ['openai:gpt-4o-mini', 'alice-chat:gpt-4o'] }], time);
      await storage.saveBudget({ id: 'alice-monthly', ownerId: 'alice', scope: 'user', scopeId: 'alice', limitMicroUsd: 5_000_000, period: 'month', createdAt: time, updatedAt: time });

      const scope = await scopes.load('alice');
      expect(scope).toMatchObject({
        userId: 'alice',
        tier: 'pro',
        byokProviders: ['openai'],
        keys: [expect.objectContaining({ provider: 'openai', keyHint: 'sk-al...0Ez', keySource: 'byok' })],
        fallbackRules: [{ id: 'default', models: ['openai:gpt-4o-mini', 'alice-chat:gpt-4o'] }],
        budgets: [expect.objectContaining({ id: 'alice-monthly', limitMicroUsd: 5_000_000 })],
        loadedAt: time,
      });
      expect(scope.instances.map((view) => `${view.id}:${view.access}`)).toEqual(['alice-chat:owner', 'bob-chat:shared']);
      expect(JSON.stringify(scope)).not.toMatch(/sk-alice|sk-bob|sk-inst|v1:k1/);

      const bob = await scopes.load('bob');
      expect(bob).toMatchObject({ keys: [], byokProviders: [], fallbackRules: [], budgets: [] });
      expect(bob.tier).toBeUndefined();
      expect(bob.instances.map((view) => view.id)).toEqual(['bob-chat']);
    });

    it('reuses a loaded scope within the TTL, shares one read among concurrent loads, reloads after it', async () => {
      const [first, second] = await Promise.all([scopes.load('alice'), scopes.load('alice')]);
      expect(first).toBe(second);
      expect(storageReads).toBe(1);
      time += 4_999;
      expect(await scopes.load('alice')).toBe(first);
      expect(storageReads).toBe(1);
      time += 1;
      const reloaded = await scopes.load('alice');
      expect(reloaded).not.toBe(first);
      expect(reloaded.loadedAt).toBe(time);
      expect(storageReads).toBe(2);
    });

    it('changes through the services invalidate the scopes they affect at once', async () => {
      expect((await scopes.load('alice')).keys).toEqual([]);
      await keys.set({ userId: 'alice', provider: 'openai', apiKey: userKeys.alice });
      expect((await scopes.load('alice')).byokProviders).toEqual(['openai']);

      expect((await scopes.load('carol')).instances).toEqual([]);
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat' });
      await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-chat', withUserId: 'carol' });
      expect((await scopes.load('carol')).instances.map((view) => view.id)).toEqual(['alice-chat']);
      await instances.removeInstance('alice', 'alice-chat');
      expect((await scopes.load('carol')).instances).toEqual([]);

      await keys.remove({ userId: 'alice', provider: 'openai' });
      expect((await scopes.load('alice')).byokProviders).toEqual([]);
    });

    it('does not cache a failed read, and rejects a bad user id', async () => {
      let fail = true;
      const flaky = createUserScopeLoader({
        storage: { ...storage, getFallbackRules: async (userId) => (fail ? Promise.reject(new Error('database down')) : storage.getFallbackRules(userId)) },
        keys,
        instances,
        now: () => time,
      });
      await expect(flaky.load('alice')).rejects.toThrow('database down');
      fail = false;
      expect((await flaky.load('alice')).userId).toBe('alice');
      expect((await caught(() => scopes.load(''))).name).toBe('InvalidRequestError');
      expect((await caught(() => scopes.load('__system__'))).message).toMatch(/reserved/);
    });

    it('keeps at most maxUsers scopes', async () => {
      const small = createUserScopeLoader({ storage: { ...storage, getFallbackRules: (userId) => ((storageReads += 1), storage.getFallbackRules(userId)) }, keys, instances, maxUsers: 2, now: () => time });
      storageReads = 0;
      await small.load('u1');
      await small.load('u2');
      await small.load('u3');
      await small.load('u3');
      expect(storageReads).toBe(3);
      await small.load('u1');
      expect(storageReads).toBe(4);
    });
  });
}
