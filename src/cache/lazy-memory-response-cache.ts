import type { CachedResponse, ResponseCache } from './cached-response';
import type { MemoryResponseCacheOptions } from './response-cache';

/**
 * The manager's in-process response cache, loaded by a dynamic import started when the manager is created:
 * the core entry then carries neither its code nor lru-cache for the many hosts that never turn caching on.
 * Once loaded, calls go straight to the loaded cache; only calls in the first moments wait for the import.
 * Options are validated with the manager's options, before this runs.
 */
export function createLazyMemoryResponseCache(options: MemoryResponseCacheOptions): ResponseCache {
  let loaded: ResponseCache | undefined;
  const loading = import('./response-cache').then((module) => (loaded = module.createMemoryResponseCache(options)));
  loading.catch(() => undefined);
  return {
    get: (key: string): Promise<CachedResponse | undefined> => (loaded ? loaded.get(key) : loading.then((cache) => cache.get(key))),
    set: (key: string, value: CachedResponse, ttlMs?: number): Promise<void> =>
      loaded ? loaded.set(key, value, ttlMs) : loading.then((cache) => cache.set(key, value, ttlMs)),
    delete: (key: string): Promise<void> => (loaded ? loaded.delete(key) : loading.then((cache) => cache.delete(key))),
    clear: (): Promise<void> => (loaded ? loaded.clear() : loading.then((cache) => cache.clear())),
  };
}
