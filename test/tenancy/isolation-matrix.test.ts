import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAI } from '../../src/providers';
import type { Storage } from '../../src/spec/storage';
import { createInstanceService, createKeyService, providerConfigBinding, providerInstanceBinding, type InstanceService, type KeyService } from '../../src/tenancy';
import type { KeyVault } from '../../src/vault';
import { readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { printedForms } from '../vault/vault-test-helpers';
import { caught, createTestVault, tenancyBackends } from './tenancy-backends';

// Each user owns one BYOK key and one instance with its own key; Alice also shares one instance with Bob.
const secrets = {
  alice: { byok: 'sk-alice-byok-Ka1Kb2Kc3Kd4Ke5Kf6Kg7Kh8', instance: 'sk-alice-inst-Ia1Ib2Ic3Id4Ie5If6Ig7Ih8', shared: 'sk-alice-shrd-Sa1Sb2Sc3Sd4Se5Sf6Sg7Sh8' },
  bob: { byok: 'sk-bob-byok-Kz9Ky8Kx7Kw6Kv5Ku4Kt3Ks2', instance: 'sk-bob-inst-Iz9Iy8Ix7Iw6Iv5Iu4It3Is2', shared: 'sk-bob-shrd-Sz9Sy8Sx7Sw6Sv5Su4St3Ss2' },
};
type User = keyof typeof secrets;
const pairs: Array<[User, User]> = [
  ['bob', 'alice'],
  ['alice', 'bob'],
];
const chatCall = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

for (const backend of tenancyBackends) {
  describe(`isolation matrix on ${backend.name}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    let vault: KeyVault;
    let keys: KeyService;
    let instances: InstanceService;

    beforeEach(async () => {
      ({ storage, close } = await backend.open());
      vault = createTestVault();
      keys = createKeyService({ storage, vault, providers: [createOpenAI({ baseUrl: server.url })] });
      instances = createInstanceService({ storage, vault });
      await instances.seedSystemDefinitions();
      for (const user of ['alice', 'bob'] as const) {
        await keys.set({ userId: user, provider: 'openai', apiKey: secrets[user].byok });
        await instances.createInstance(user, { id: `${user}-inst`, definitionId: 'system.openai.chat', apiKey: secrets[user].instance, baseUrl: server.url });
        await instances.createInstance(user, { id: `${user}-shared`, definitionId: 'system.openai.chat', apiKey: secrets[user].shared, baseUrl: server.url });
      }
      await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-shared', withUserId: 'bob' });
    });
    afterEach(() => close());

    for (const [actor, victim] of pairs) {
      const victimSecrets = Object.values(secrets[victim]);
      const expectNoVictimSecret = async (value: unknown) => {
        for (const printed of await printedForms(value)) for (const secret of victimSecrets) expect(printed).not.toContain(secret);
      };

      describe(`${actor} → ${victim}'s keys`, () => {
        it('cannot list them', async () => {
          const listed = await keys.list(actor);
          expect(listed).toHaveLength(1);
          expect(listed[0]!.keyHint).toBe(`${secrets[actor].byok.slice(0, 5)}...${secrets[actor].byok.slice(-3)}`);
          await expectNoVictimSecret(listed);
        });

        it('cannot use them: removing their own key leaves them without a key, not with the victim\'s', async () => {
          await keys.remove({ userId: actor, provider: 'openai' });
          expect((await caught(() => keys.resolveCredentials({ userId: actor, provider: 'openai' }))).name).toBe('AuthenticationError');
          expect((await caught(() => keys.test({ userId: actor, provider: 'openai' }))).message).toMatch(/no key stored/);
        });

        it('cannot change or delete them', async () => {
          await keys.set({ userId: actor, provider: 'openai', apiKey: 'sk-overwrite-attempt-0000000000000000' });
          await keys.remove({ userId: actor, provider: 'openai' });
          const [victimRecord] = await storage.listProviderConfigs(victim);
          expect((await keys.resolveCredentials({ userId: victim, provider: 'openai' })).apiKey!.reveal()).toBe(secrets[victim].byok);
          // Not even through storage directly: a record id belongs to one owner.
          const takeover = await caught(() => storage.saveProviderConfig({ ...victimRecord!, userId: actor }));
          expect(takeover.name).toBe('InvalidRequestError');
          expect(await storage.deleteProviderConfig(actor, victimRecord!.id)).toBe(false);
          expect(await storage.getProviderConfig(actor, victimRecord!.id)).toBeUndefined();
        });

        it('cannot decrypt them, even holding the ciphertext', async () => {
          const [victimRecord] = await storage.listProviderConfigs(victim);
          const [actorRecord] = await storage.listProviderConfigs(actor);
          const asActor = await caught(() => vault.decrypt(victimRecord!.keyCiphertext, providerConfigBinding(actorRecord!)));
          expect(asActor.name).toBe('VaultError');
          // Swapping the ciphertext into the actor's own row does not help either.
          await storage.saveProviderConfig({ ...actorRecord!, keyCiphertext: victimRecord!.keyCiphertext });
          const swapped = await caught(() => keys.resolveCredentials({ userId: actor, provider: 'openai' }));
          expect(swapped.name).toBe('VaultError');
          await expectNoVictimSecret(swapped);
        });
      });

      describe(`${actor} → ${victim}'s unshared instance`, () => {
        const target = `${victim}-inst`;
        it('cannot list or get it', async () => {
          const listed = await instances.listInstances(actor);
          expect(listed.map((view) => view.id)).not.toContain(target);
          expect(await instances.getInstance(actor, target)).toBeUndefined();
        });

        it('cannot use it', async () => {
          const error = await caught(() => instances.resolveProvider(actor, target));
          expect(error.name).toBe('InvalidRequestError');
          expect(error.message).toMatch(/was not found/);
        });

        it('cannot change, delete, share or unshare it', async () => {
          expect((await caught(() => instances.updateInstance(actor, target, { apiKey: 'sk-overwrite-attempt-0000000000000000' }))).message).toMatch(/was not found/);
          expect(await instances.removeInstance(actor, target)).toBe(false);
          expect((await caught(() => instances.shareInstance({ ownerId: actor, instanceId: target, withUserId: actor }))).message).toMatch(/was not found/);
          expect(await instances.unshareInstance({ ownerId: actor, instanceId: target, withUserId: victim })).toBe(false);
          expect(await instances.listShares(actor, target)).toEqual([]);
          expect(await instances.getInstance(victim, target)).toMatchObject({ access: 'owner', hasKey: true });
          const stored = await storage.getProviderInstance(victim, target);
          expect(await vault.decrypt(stored!.keyCiphertext!, providerInstanceBinding(stored!))).toBe(secrets[victim].instance);
        });

        it('cannot decrypt it: its ciphertext moved into the actor\'s instance fails', async () => {
          const victimRecord = await storage.getProviderInstance(victim, target);
          const actorRecord = await storage.getProviderInstance(actor, `${actor}-inst`);
          const { access: _access, ...stored } = actorRecord!;
          await storage.saveProviderInstance({ ...stored, keyCiphertext: victimRecord!.keyCiphertext! });
          const error = await caught(() => instances.resolveProvider(actor, `${actor}-inst`));
          expect(error.name).toBe('VaultError');
          await expectNoVictimSecret(error);
        });
      });
    }

    describe("bob → alice's instance shared with him (read-only)", () => {
      it('lists it as shared, without key, mask or ciphertext', async () => {
        const view = (await instances.listInstances('bob')).find((entry) => entry.id === 'alice-shared');
        expect(view).toMatchObject({ id: 'alice-shared', ownerId: 'alice', access: 'shared', hasKey: true });
        expect(view!.keyHint).toBeUndefined();
        expect(Object.keys(view!)).not.toContain('keyCiphertext');
        expect(await instances.getInstance('bob', 'alice-shared')).toEqual(view);
        for (const printed of await printedForms(view)) expect(printed).not.toMatch(/v1:k1:|sk-alice/);
      });

      it("can call through it: alice's instance key is sent, never shown", async () => {
        const provider = await instances.resolveProvider('bob', 'alice-shared');
        server.enqueue({ body: readFixture('openai/openai-text.json') });
        await provider.chat(chatCall, { fetch: globalThis.fetch, apiKey: secrets.bob.byok });
        expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${secrets.alice.shared}`);
        for (const printed of await printedForms(provider)) expect(printed).not.toContain(secrets.alice.shared);
        expect(Object.values(provider).some((value) => typeof value === 'string' && value.includes('sk-alice'))).toBe(false);
      });

      it('cannot change, delete or re-share it', async () => {
        expect((await caught(() => instances.updateInstance('bob', 'alice-shared', { apiKey: secrets.bob.byok }))).message).toMatch(/read-only/);
        expect((await caught(() => instances.updateInstance('bob', 'alice-shared', { baseUrl: 'https://attacker.example/v1' }))).message).toMatch(/read-only/);
        expect((await caught(() => instances.removeInstance('bob', 'alice-shared'))).message).toMatch(/read-only/);
        expect((await caught(() => instances.shareInstance({ ownerId: 'bob', instanceId: 'alice-shared', withUserId: 'carol' }))).message).toMatch(/read-only/);
        expect(await instances.unshareInstance({ ownerId: 'bob', instanceId: 'alice-shared', withUserId: 'bob' })).toBe(false);
        expect(await instances.listShares('bob', 'alice-shared')).toEqual([]);
        const { access: _access, ...record } = (await storage.getProviderInstance('bob', 'alice-shared'))!;
        expect((await caught(() => storage.saveProviderInstance({ ...record, ownerId: 'bob' }))).name).toBe('InvalidRequestError');
        expect(await instances.getInstance('alice', 'alice-shared')).toMatchObject({ baseUrl: server.url, keyHint: 'sk-al...Sh8' });
      });

      it('is visible to nobody else, and gone for bob once alice withdraws the share', async () => {
        expect(await instances.getInstance('carol', 'alice-shared')).toBeUndefined();
        expect((await caught(() => instances.resolveProvider('carol', 'alice-shared'))).message).toMatch(/was not found/);
        expect(await instances.unshareInstance({ ownerId: 'alice', instanceId: 'alice-shared', withUserId: 'bob' })).toBe(true);
        expect(await instances.getInstance('bob', 'alice-shared')).toBeUndefined();
        expect((await caught(() => instances.resolveProvider('bob', 'alice-shared'))).message).toMatch(/was not found/);
      });

      it("bob's own instances stay invisible to alice although she shares with him", async () => {
        expect((await instances.listInstances('alice')).map((view) => view.id).sort()).toEqual(['alice-inst', 'alice-shared']);
        expect((await instances.listInstances('bob')).map((view) => `${view.id}:${view.access}`).sort()).toEqual(['alice-shared:shared', 'bob-inst:owner', 'bob-shared:owner']);
      });
    });
  });
}
