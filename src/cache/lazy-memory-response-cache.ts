import { lazyMethods } from '../lazy/lazy-methods';
import type { CachedResponse, ResponseCache } from './cached-response';
import type { MemoryResponseCacheOptions } from './response-cache';

/** The manager's in-process response cache, with a read that needs no promise once the cache has loaded. */
export interface InProcessResponseCache extends ResponseCache {
  /** The entry, at once when the cache has loaded (a hit then awaits nothing); before that, a promise of it. */
  getNow(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>;
}

/**
 * The manager's in-process response cache, loaded by a dynamic import started when the manager is created:
 * the core entry then carries neither its code nor lru-cache for the many hosts that never turn caching on.
 * Options are validated with the manager's options, before this runs.
 */
export function createLazyMemoryResponseCache(options: MemoryResponseCacheOptions): InProcessResponseCache {
  let lookup: ((key: string) => CachedResponse | undefined) | undefined;
  const loading = import('./response-cache').then((module) => {
    const made = module.memoryResponseCacheWithLookup(options);
    lookup = made.lookup;
    return made.cache;
  });
  const methods = lazyMethods<ResponseCache, keyof ResponseCache>(loading, ['get', 'set', 'delete', 'clear']);
  return { ...methods, getNow: (key) => (lookup ? lookup(key) : methods.get(key)) };
}
