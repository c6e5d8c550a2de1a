import { ConfigurationError } from '../errors/configuration-error';
import type { StateStore } from '../spec/state-store';
import type { CachedResponse, ResponseCache } from './cached-response';
import { cachedResponseBytes } from './cached-response-bytes';

export interface SharedResponseCacheOptions {
  /** The state store every process shares (Redis, SQL). */
  state: Pick<StateStore, 'cacheGet' | 'cacheSet' | 'cacheDelete'>;
  /** How long an entry lives, ms. Default 300,000. */
  ttlMs?: number;
  /** Entries larger than this many bytes are not stored. Default 1 MB. */
  maxEntryBytes?: number;
  /** Prefix of the store keys. Default `cache:`. */
  namespace?: string;
  /** Called when the store fails; the cache then behaves as a miss (a cache must never fail a call). */
  onError?: (error: unknown) => void;
}

/**
 * A response cache shared across processes through the state store's cache get/set. Entries are JSON;
 * TTL and eviction are the store's. A store failure is a miss, never a failed call.
 */
export function createSharedResponseCache(options: SharedResponseCacheOptions): ResponseCache {
  const { state } = options;
  if (typeof state?.cacheGet !== 'function' || typeof state.cacheSet !== 'function') {
    throw new ConfigurationError('shared response cache needs a state store with cacheGet and cacheSet');
  }
  const ttl = options.ttlMs ?? 300_000;
  const maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
  const namespace = options.namespace ?? 'cache:';
  const onError = options.onError ?? (() => undefined);
  const decoder = new TextDecoder();
  return {
    async get(key) {
      try {
        const stored = await state.cacheGet(namespace + key);
        if (stored === undefined) return undefined;
        const text = typeof stored === 'string' ? stored : decoder.decode(stored);
        return JSON.parse(text) as CachedResponse;
      } catch (error) {
        onError(error);
        return undefined;
      }
    },
    async set(key, value: CachedResponse, ttlMs) {
      if (cachedResponseBytes(value) > maxEntryBytes) return;
      try {
        await state.cacheSet(namespace + key, JSON.stringify(value), ttlMs ?? ttl);
      } catch (error) {
        onError(error);
      }
    },
    async delete(key) {
      try {
        await state.cacheDelete(namespace + key);
      } catch (error) {
        onError(error);
      }
    },
    async clear() {
      // Shared entries expire by TTL; clearing a shared store wholesale is the host's operation.
    },
  };
}
