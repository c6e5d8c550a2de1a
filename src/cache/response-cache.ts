import { LRUCache } from 'lru-cache';
import { ConfigurationError } from '../errors/configuration-error';
import type { CachedResponse, ResponseCache } from './cached-response';
import { cachedResponseBytes } from './cached-response-bytes';

export interface MemoryResponseCacheOptions {
  /** How long an entry lives, ms. Default 300,000 (5 minutes). */
  ttlMs?: number;
  /** Most entries kept. Default 1,000. */
  maxEntries?: number;
  /** Most bytes kept (entries measured as their UTF-8 JSON). Default 50 MB; larger entries are not stored. */
  maxBytes?: number;
  /** Clock in ms for TTLs (inject a fake one in tests; it must not return 0). Default `performance.now`. Entries live `ttlMs` inclusive. */
  now?: () => number;
}

/** An in-process response cache with counters. */
export interface MemoryResponseCache extends ResponseCache {
  /** Entries held (expired ones may still count until touched). */
  readonly size: number;
  /** Bytes held. */
  readonly bytes: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError(`cache.${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * The response cache on lru-cache: TTL, maximum entries and maximum bytes, least recently used evicted first.
 * Keys come from `createCacheKey`, which already scopes entries per user, so one cache serves every tenant
 * without any of them seeing another's answers.
 */
export function createMemoryResponseCache(options: MemoryResponseCacheOptions = {}): MemoryResponseCache {
  return memoryResponseCacheWithLookup(options).cache;
}

/** The memory response cache and a synchronous read of it, which spares the manager a promise per hit. */
export function memoryResponseCacheWithLookup(options: MemoryResponseCacheOptions): {
  cache: MemoryResponseCache;
  lookup: (key: string) => CachedResponse | undefined;
} {
  const ttl = positive('ttlMs', options.ttlMs, 300_000);
  const maxBytes = positive('maxBytes', options.maxBytes, 50 * 1024 * 1024);
  const lru = new LRUCache<string, CachedResponse>({
    max: positive('maxEntries', options.maxEntries, 1000),
    maxSize: maxBytes,
    maxEntrySize: maxBytes,
    sizeCalculation: cachedResponseBytes,
    ttl,
    // No per-entry timers: expired entries are dropped when read, or evicted as least recently used.
    ttlAutopurge: false,
    // Read the clock on every check so an injected clock is exact (no cached "now").
    ttlResolution: 0,
    updateAgeOnGet: false,
    ...(options.now === undefined ? {} : { perf: { now: options.now } }),
  });
  const lookup = (key: string): CachedResponse | undefined => lru.get(key);
  const cache: MemoryResponseCache = {
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
    async get(key) {
      return lookup(key);
    },
    async set(key, value, ttlMs) {
      lru.set(key, value, ttlMs === undefined ? undefined : { ttl: positive('ttlMs', ttlMs, ttl) });
    },
    async delete(key) {
      lru.delete(key);
    },
    async clear() {
      lru.clear();
    },
  };
  return { cache, lookup };
}
