import { describe, expect, it } from 'vitest';
import type { CachedResponse } from '../../src/cache/cached-response';
import { createLazyMemoryResponseCache } from '../../src/cache/lazy-memory-response-cache';

const answer = (text: string): CachedResponse => ({
  kind: 'chat',
  provider: 'mock',
  model: 'm',
  storedAt: 1,
  result: { text, toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } } as never,
});

describe('createLazyMemoryResponseCache', () => {
  it('serves calls made before its code has loaded, in order, and the same cache after', async () => {
    const cache = createLazyMemoryResponseCache({ maxEntries: 2 });
    // None of these has awaited anything yet: each waits for the import, then runs in the order made.
    const stored = cache.set('a', answer('A'));
    const readBeforeLoad = cache.get('a');
    const missing = cache.get('b');
    await stored;
    expect(await readBeforeLoad).toEqual(answer('A'));
    expect(await missing).toBeUndefined();
    await cache.set('b', answer('B'));
    await cache.set('c', answer('C'));
    // maxEntries reached the loaded lru-cache: 'a' was the least recently used.
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toEqual(answer('C'));
    await cache.delete('c');
    expect(await cache.get('c')).toBeUndefined();
    await cache.clear();
    expect(await cache.get('b')).toBeUndefined();
  });

  it('reads without a promise once loaded, and through one before', async () => {
    const cache = createLazyMemoryResponseCache({});
    const beforeLoad = cache.getNow('a');
    expect(beforeLoad).toBeInstanceOf(Promise);
    expect(await beforeLoad).toBeUndefined();
    await cache.set('a', answer('A'));
    const afterLoad = cache.getNow('a');
    expect(afterLoad).not.toBeInstanceOf(Promise);
    expect(afterLoad).toEqual(answer('A'));
    expect(cache.getNow('b')).toBeUndefined();
    await cache.delete('a');
    expect(cache.getNow('a')).toBeUndefined();
  });
});
