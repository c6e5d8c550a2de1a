import { describe, expect, it } from 'vitest';
import { createCacheKey } from '../../src/cache/cache-key';
import type { CachedResponse } from '../../src/cache/cached-response';
import { cachedResponseBytes } from '../../src/cache/cached-response-bytes';
import { createMemoryResponseCache } from '../../src/cache/response-cache';
import { createSharedResponseCache } from '../../src/cache/shared-response-cache';
import { ConfigurationError } from '../../src/errors/configuration-error';

function answer(text: string): CachedResponse {
  return {
    kind: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    storedAt: 0,
    result: { text, toolCalls: [], finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } },
  };
}

describe('memory response cache', () => {
  it('never gives one user another user\'s entry', async () => {
    const cache = createMemoryResponseCache();
    const request = { messages: [{ role: 'user' as const, content: 'my account balance?' }] };
    const keyA = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'alice', request });
    const keyB = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'bob', request });
    await cache.set(keyA, answer('alice: $10'));
    expect(await cache.get(keyB)).toBeUndefined();
    expect((await cache.get(keyA))?.kind).toBe('chat');
    await cache.set(keyB, answer('bob: $3'));
    const forBob = await cache.get(keyB);
    expect(forBob?.kind === 'chat' && forBob.result.text).toBe('bob: $3');
  });

  it('expires entries after the TTL on an injected clock', async () => {
    let now = 1_000;
    const cache = createMemoryResponseCache({ ttlMs: 500, now: () => now });
    await cache.set('k', answer('x'));
    now += 500; // an entry lives for ttlMs inclusive
    expect(await cache.get('k')).toBeDefined();
    now += 1;
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('short', answer('y'), 10);
    now += 11;
    expect(await cache.get('short')).toBeUndefined();
  });

  it('evicts least recently used entries past the byte limit, and skips entries larger than it', async () => {
    const entryBytes = cachedResponseBytes(answer('a'.repeat(100)));
    const cache = createMemoryResponseCache({ maxBytes: entryBytes * 3 });
    await cache.set('1', answer('a'.repeat(100)));
    await cache.set('2', answer('b'.repeat(100)));
    await cache.set('3', answer('c'.repeat(100)));
    expect(cache.bytes).toBe(entryBytes * 3);
    await cache.get('1'); // 2 is now least recently used
    await cache.set('4', answer('d'.repeat(100)));
    expect(await cache.get('2')).toBeUndefined();
    expect(await cache.get('1')).toBeDefined();
    expect(cache.bytes).toBeLessThanOrEqual(entryBytes * 3);
    await cache.set('huge', answer('z'.repeat(entryBytes * 4)));
    expect(await cache.get('huge')).toBeUndefined();
  });

  it('evicts past the entry limit and validates its options', async () => {
    const cache = createMemoryResponseCache({ maxEntries: 2 });
    await cache.set('1', answer('1'));
    await cache.set('2', answer('2'));
    await cache.set('3', answer('3'));
    expect(cache.size).toBe(2);
    expect(await cache.get('1')).toBeUndefined();
    await cache.clear();
    expect(cache.size).toBe(0);
    expect(() => createMemoryResponseCache({ ttlMs: 0 })).toThrow(ConfigurationError);
    expect(() => createMemoryResponseCache({ maxEntries: 1.5 })).toThrow(/maxEntries/);
  });
});

describe('shared response cache', () => {
  /** A state-store cache slice with the store-side TTL the contract describes. */
  function stateCache() {
    const values = new Map<string, { value: string | Uint8Array; expiresAt: number }>();
    let now = 0;
    return {
      advance(ms: number) {
        now += ms;
      },
      failing: false,
      async cacheGet(key: string) {
        if (this.failing) throw new Error('redis down');
        const entry = values.get(key);
        return entry !== undefined && entry.expiresAt > now ? entry.value : undefined;
      },
      async cacheSet(key: string, value: string | Uint8Array, ttlMs: number) {
        if (this.failing) throw new Error('redis down');
        values.set(key, { value, expiresAt: now + ttlMs });
      },
      async cacheDelete(key: string) {
        values.delete(key);
      },
    };
  }

  it('round-trips entries through the store, with its TTL, and treats store failures as misses', async () => {
    const state = stateCache();
    const errors: unknown[] = [];
    const cache = createSharedResponseCache({ state, ttlMs: 100, onError: (error) => errors.push(error) });
    await cache.set('k', answer('shared'));
    const hit = await cache.get('k');
    expect(hit?.kind === 'chat' && hit.result.text).toBe('shared');
    state.advance(100);
    expect(await cache.get('k')).toBeUndefined();
    state.failing = true;
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', answer('x'));
    expect(errors).toHaveLength(2);
  });
});
