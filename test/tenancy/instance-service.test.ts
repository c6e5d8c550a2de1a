import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/spec/storage';
import { systemOwnerId } from '../../src/storage/memory';
import { createInstanceService, systemDefinitions, type InstanceService } from '../../src/tenancy';
import { framedFixture, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { caught, createTestVault, tenancyBackends, userKeys } from './tenancy-backends';

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

const context = () => ({ fetch: globalThis.fetch });
const chatCall = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Invent a holiday' }] };
const embeddingFixture = JSON.parse(readFixture('openai/openai-embedding.json'));

describe('system definitions', () => {
  it('cover the five embedding models with their dimensions and one chat definition per provider and preset', () => {
    const definitions = systemDefinitions();
    const embeddings = Object.fromEntries(definitions.filter((definition) => definition.embeddingDimensions).map((definition) => [`${definition.standard}:${definition.model}`, definition.embeddingDimensions]));
    expect(embeddings).toEqual({
      'openai:text-embedding-3-large': 3072,
      'openai:text-embedding-3-small': 1536,
      'cohere:embed-multilingual-v3.0': 1024,
      'cohere:embed-v4.0': 1536,
      'google:gemini-embedding-001': 768,
    });
    const chat = definitions.filter((definition) => definition.id.endsWith('.chat')).map((definition) => definition.id.split('.')[1]);
    expect(chat.sort()).toEqual(
      ['openai', 'anthropic', 'google', 'cohere', 'ollama', 'openrouter', 'groq', 'together', 'fireworks', 'deepinfra', 'mistral', 'xai', 'deepseek', 'lmstudio', 'localai', 'vllm', 'llamacpp'].sort(),
    );
    expect(definitions.find((definition) => definition.id === 'system.groq.chat')).toMatchObject({ standard: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1', settings: { preset: 'groq' } });
    expect(definitions.find((definition) => definition.id === 'system.ollama.chat')).toMatchObject({ standard: 'ollama', settings: { local: true } });
  });
});

for (const backend of tenancyBackends) {
  describe(`instance service on ${backend.name}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    let instances: InstanceService;
    const changed: string[] = [];

    beforeEach(async () => {
      ({ storage, close } = await backend.open());
      changed.length = 0;
      instances = createInstanceService({ storage, vault: createTestVault(), now: () => 1_750_000_000_000, onChange: (user) => changed.push(user) });
      await instances.seedSystemDefinitions();
    });
    afterEach(() => close());

    it('seeds system definitions once; they are visible to every user and immutable', async () => {
      expect(await instances.seedSystemDefinitions()).toEqual([]);
      const forAlice = await instances.listDefinitions('alice');
      expect(forAlice.filter((definition) => definition.system)).toHaveLength(systemDefinitions().length);
      expect(await instances.getDefinition('bob', 'system.openai.text-embedding-3-large')).toMatchObject({ system: true, embeddingDimensions: 3072 });

      const change = await caught(() => instances.saveDefinition('alice', { id: 'system.openai.text-embedding-3-large', name: 'mine now', standard: 'openai' }));
      expect(change.name).toBe('InvalidRequestError');
      expect((await caught(() => instances.removeDefinition('alice', 'system.openai.text-embedding-3-large'))).name).toBe('InvalidRequestError');
      const direct = await caught(() =>
        storage.saveProviderDefinition({ id: 'system.openai.text-embedding-3-large', ownerId: systemOwnerId, name: 'x', standard: 'openai', embeddingDimensions: 1, createdAt: 0, updatedAt: 0 }),
      );
      expect(direct.name).toBe('InvalidRequestError');
      expect(await instances.getDefinition('alice', 'system.openai.text-embedding-3-large')).toMatchObject({ name: 'OpenAI text-embedding-3-large', embeddingDimensions: 3072 });
    });

    it('user definitions belong to their owner', async () => {
      const definition = await instances.saveDefinition('alice', { id: 'alice-vllm', name: 'My vLLM', standard: 'openai-compatible', baseUrl: 'http://gpu-box:8000/v1', model: 'qwen3' });
      expect(definition).toMatchObject({ id: 'alice-vllm', system: false });
      expect(await instances.getDefinition('bob', 'alice-vllm')).toBeUndefined();
      expect((await instances.listDefinitions('bob')).some((entry) => entry.id === 'alice-vllm')).toBe(false);
      expect(await instances.removeDefinition('bob', 'alice-vllm')).toBe(false);
      expect((await caught(() => instances.saveDefinition('bob', { id: 'alice-vllm', name: 'taken', standard: 'openai' }))).name).toBe('InvalidRequestError');
      expect((await caught(() => instances.saveDefinition('alice', { name: 'no url', standard: 'openai-compatible' }))).message).toMatch(/baseUrl or settings.preset/);
      expect(await instances.removeDefinition('alice', 'alice-vllm')).toBe(true);
    });

    it('an instance from a definition copies it, holds an encrypted key and shows only the mask to its owner', async () => {
      const view = await instances.createInstance('alice', { id: 'alice-small', definitionId: 'system.openai.text-embedding-3-small', apiKey: userKeys.instance, baseUrl: server.url });
      expect(view).toEqual({
        id: 'alice-small',
        ownerId: 'alice',
        access: 'owner',
        name: 'OpenAI text-embedding-3-small',
        definitionId: 'system.openai.text-embedding-3-small',
        standard: 'openai',
        baseUrl: server.url,
        model: 'text-embedding-3-small',
        embeddingDimensions: 1536,
        hasKey: true,
        keyHint: 'sk-in...0Uv',
        settings: { requestDimensions: true },
        createdAt: 1_750_000_000_000,
        updatedAt: 1_750_000_000_000,
      });
      expect(changed).toEqual(['alice']);
      const stored = await storage.getProviderInstance('alice', 'alice-small');
      expect(stored!.keyCiphertext).toMatch(/^v1:k1:/);
      expect(JSON.stringify(stored)).not.toContain(userKeys.instance);
      expect((await caught(() => instances.createInstance('alice', { id: 'alice-small', standard: 'openai' }))).message).toMatch(/already exists/);
      expect((await caught(() => instances.createInstance('alice', { definitionId: 'system.openai.text-embedding-3-small', standard: 'cohere' }))).message).toMatch(/does not match/);
      expect((await caught(() => instances.createInstance('alice', { name: 'no standard' }))).message).toMatch(/standard is required/);
      expect((await caught(() => instances.createInstance('alice', { definitionId: 'missing' }))).message).toMatch(/definition 'missing' was not found/);
    });

    it('embedding calls through an instance are held to its declared dimensions', async () => {
      // The recorded answer has 5-dimensional vectors.
      await instances.createInstance('alice', { id: 'alice-small', definitionId: 'system.openai.text-embedding-3-small', apiKey: userKeys.instance, baseUrl: server.url });
      const declared1536 = await instances.resolveProvider('alice', 'alice-small');
      server.enqueue({ body: readFixture('openai/openai-embedding.json') });
      const wrongSize = await caught(() => declared1536.embed!({ model: 'text-embedding-3-small', input: ['a', 'b'] }, context()));
      expect(wrongSize.name).toBe('InvalidResponseError');
      expect(wrongSize.message).toMatch(/declares 1536 embedding dimensions but vector 0 has 5/);
      // The definition asks the provider for exactly the declared size.
      expect(server.requests.at(-1)!.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 1536 });
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.instance}`);

      await instances.createInstance('alice', { id: 'alice-five', standard: 'openai', model: 'text-embedding-3-small', embeddingDimensions: 5, apiKey: userKeys.instance, baseUrl: server.url });
      const declared5 = await instances.resolveProvider('alice', 'alice-five');
      const before = server.requests.length;
      const askedOther = await caught(() => declared5.embed!({ model: 'text-embedding-3-small', input: ['a'], dimensions: 3 }, context()));
      expect(askedOther.name).toBe('InvalidRequestError');
      expect(askedOther.message).toMatch(/declares 5 embedding dimensions; the call asked for 3/);
      expect(server.requests.length).toBe(before);

      server.enqueue({ body: readFixture('openai/openai-embedding.json') });
      const result = await declared5.embed!({ model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'] }, context());
      expect(result.embeddings).toEqual(embeddingFixture.data.map((item: { embedding: number[] }) => item.embedding));
      expect(server.requests.at(-1)!.body.dimensions).toBeUndefined();
    });

    it('chat through an instance sends its own key, whatever key the caller passes', async () => {
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat', apiKey: userKeys.instance, baseUrl: server.url });
      const provider = await instances.resolveProvider('alice', 'alice-chat');
      expect(provider).toMatchObject({ id: 'alice-chat', wireFormat: 'openai', hasApiKey: true, local: false, defaultModel: 'gpt-4o-mini' });
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      const result = await provider.chat(chatCall, { ...context(), apiKey: userKeys.bob });
      expect(result.text).toContain('Galaxy Day');
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.instance}`);
      expect(server.requests.at(-1)!.url).toBe('/chat/completions');
    });

    it('streams through a shared instance with the owner\'s key', async () => {
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat', apiKey: userKeys.instance, baseUrl: server.url });
      await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-chat', withUserId: 'bob' });
      const provider = await instances.resolveProvider('bob', 'alice-chat');
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A') });
      const parts = [];
      for await (const part of provider.stream(chatCall, context())) parts.push(part);
      expect(parts.some((part) => part.type === 'text-delta')).toBe(true);
      expect(parts.at(-1)!.type).toBe('finish');
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.instance}`);
    });

    it('update changes and re-encrypts the key, or removes it; sharees are told', async () => {
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat', apiKey: userKeys.instance, baseUrl: server.url });
      await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-chat', withUserId: 'bob' });
      changed.length = 0;
      const updated = await instances.updateInstance('alice', 'alice-chat', { apiKey: userKeys.alice, name: 'renamed' });
      expect(updated).toMatchObject({ name: 'renamed', keyHint: 'sk-al...0Ez', hasKey: true });
      expect(changed.sort()).toEqual(['alice', 'bob']);
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      await (await instances.resolveProvider('bob', 'alice-chat')).chat(chatCall, context());
      expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${userKeys.alice}`);
      const keyless = await instances.updateInstance('alice', 'alice-chat', { apiKey: null });
      expect(keyless.hasKey).toBe(false);
      expect(keyless.keyHint).toBeUndefined();
      expect((await storage.getProviderInstance('alice', 'alice-chat'))!.keyCiphertext).toBeUndefined();
      expect((await instances.resolveProvider('alice', 'alice-chat')).hasApiKey).toBe(false);
    });

    it('a local definition gives a local instance that needs no key', async () => {
      await instances.createInstance('alice', { id: 'alice-ollama', definitionId: 'system.ollama.chat' });
      const provider = await instances.resolveProvider('alice', 'alice-ollama');
      expect(provider).toMatchObject({ id: 'alice-ollama', wireFormat: 'ollama', local: true, hasApiKey: false });
    });

    it('removing an instance removes its shares', async () => {
      await instances.createInstance('alice', { id: 'alice-chat', definitionId: 'system.openai.chat', apiKey: userKeys.instance });
      await instances.shareInstance({ ownerId: 'alice', instanceId: 'alice-chat', withUserId: 'bob' });
      expect(await instances.listShares('alice', 'alice-chat')).toEqual(['bob']);
      changed.length = 0;
      expect(await instances.removeInstance('alice', 'alice-chat')).toBe(true);
      expect(changed.sort()).toEqual(['alice', 'bob']);
      expect(await instances.listInstances('bob')).toEqual([]);
      expect(await instances.removeInstance('alice', 'alice-chat')).toBe(false);
    });
  });
}
