import { describe, expect, it } from 'vitest';
import { ServerError } from '../../src/errors/server-error';
import { createModelsCache, type ModelsCacheEntry } from '../../src/routing/models-cache';
import type { ModelInfo } from '../../src/spec/model-info';
import { createTestClock } from './support/test-clock';

const model = (provider: string, name: string): ModelInfo => ({ id: `${provider}:${name}`, provider, model: name, local: false, capabilities: { tools: true, vision: false, json: true, embedding: false, reasoning: false } });

describe('models cache', () => {
  it('caches per provider for the TTL, refreshes on demand and after expiry', async () => {
    const clock = createTestClock();
    const loads: string[] = [];
    let version = 1;
    const cache = createModelsCache({ clock, load: async (provider) => { loads.push(provider); return [model(provider, `m${version}`)]; } });
    expect((await cache.list(['openai', 'groq'])).models.map((item) => item.id)).toEqual(['openai:m1', 'groq:m1']);
    version = 2;
    clock.advance(23 * 3_600_000);
    expect((await cache.list(['openai'])).models[0]!.id).toBe('openai:m1');
    expect((await cache.list(['openai'], { refresh: true })).models[0]!.id).toBe('openai:m2');
    clock.advance(24 * 3_600_000);
    expect((await cache.list(['groq'])).models[0]!.id).toBe('groq:m2');
    expect(loads).toEqual(['openai', 'groq', 'openai', 'groq']);
  });

  it('shares one load between concurrent callers', async () => {
    let calls = 0;
    const cache = createModelsCache({ load: async (provider) => { calls++; await new Promise((resolve) => setTimeout(resolve, 5)); return [model(provider, 'x')]; } });
    const [first, second] = await Promise.all([cache.list(['openai']), cache.list(['openai'])]);
    expect(calls).toBe(1);
    expect(first.models).toEqual(second.models);
  });

  it('serves stale models when a refresh fails and reports the error', async () => {
    const clock = createTestClock();
    let fail = false;
    const cache = createModelsCache({ clock, ttlMs: 1_000, load: async (provider) => { if (fail) throw new ServerError(`${provider}: down`, { provider, status: 500 }); return [model(provider, 'x')]; } });
    await cache.list(['openai']);
    fail = true;
    clock.advance(2_000);
    const listing = await cache.list(['openai', 'groq']);
    expect(listing.models.map((item) => item.id)).toEqual(['openai:x']);
    expect(listing.stale).toEqual(['openai']);
    expect(listing.errors.map((item) => [item.provider, item.error.name])).toEqual([['openai', 'ServerError'], ['groq', 'ServerError']]);
  });

  it('reads and writes a durable store', async () => {
    const clock = createTestClock();
    const stored = new Map<string, ModelsCacheEntry>([['openai', { models: [model('openai', 'stored')], fetchedAt: clock.now() }]]);
    let loads = 0;
    const cache = createModelsCache({ clock, load: async (provider) => { loads++; return [model(provider, 'loaded')]; }, store: { get: async (provider) => stored.get(provider), set: async (provider, entry) => void stored.set(provider, entry) } });
    expect((await cache.list(['openai'])).models[0]!.model).toBe('stored');
    expect(loads).toBe(0);
    await cache.list(['groq']);
    expect(stored.get('groq')!.models[0]!.model).toBe('loaded');
  });
});
