import { lazyMethods } from '../lazy/lazy-methods';
import type { ResponseCache } from './cached-response';
import type { MemoryResponseCacheOptions } from './response-cache';

/**
 * The manager's in-process response cache, loaded by a dynamic import started when the manager is created:
 * the core entry then carries neither its code nor lru-cache for the many hosts that never turn caching on.
 * Options are validated with the manager's options, before this runs.
 */
export function createLazyMemoryResponseCache(options: MemoryResponseCacheOptions): ResponseCache {
  const loading = import('./response-cache').then((module) => module.createMemoryResponseCache(options));
  return lazyMethods<ResponseCache, keyof ResponseCache>(loading, ['get', 'set', 'delete', 'clear']);
}
