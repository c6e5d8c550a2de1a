import { LLMError } from '../errors/llm-error';
import { InvalidResponseError } from '../errors/invalid-response-error';
import type { ModelInfo } from '../spec/model-info';
import type { RoutingClock } from './clock';

/** One provider's cached listing. */
export interface ModelsCacheEntry {
  /** The models. */
  models: ModelInfo[];
  /** When they were fetched (epoch ms). */
  fetchedAt: number;
}

/** Durable backing for the cache (the storage layer's model cache per provider), optional. */
export interface ModelsCacheStore {
  /** The stored entry of a provider. */
  get(provider: string): Promise<ModelsCacheEntry | undefined>;
  /** Stores a provider's entry. */
  set(provider: string, entry: ModelsCacheEntry): Promise<void>;
}

/** What `list` returns. */
export interface ModelsListing {
  /** Models of every provider that answered now or earlier, in provider order. */
  models: ModelInfo[];
  /** Providers whose listing failed (their stale models, if any, are still in `models`). */
  errors: Array<{ provider: string; error: LLMError }>;
  /** Providers served from an expired entry because a refresh failed. */
  stale: string[];
}

/** Settings of the models cache. */
export interface ModelsCacheOptions {
  /** Loads one provider's models (`provider.listModels()`, or its static catalogue). */
  load: (provider: string) => Promise<ModelInfo[]>;
  /** How long a listing stays fresh, in ms (default 24 h). */
  ttlMs?: number;
  /** Time source (default the system clock). */
  clock?: Pick<RoutingClock, 'now'>;
  /** Durable backing, read on a miss and written after each load. */
  store?: ModelsCacheStore;
}

/** Model listings across providers, cached for a TTL and refreshed on demand. */
export interface ModelsCache {
  /** Models of these providers; `refresh: true` reloads them even when fresh. */
  list(providers: readonly string[], options?: { refresh?: boolean }): Promise<ModelsListing>;
  /** Forgets one provider's listing, or all. */
  invalidate(provider?: string): void;
}

/** Creates a models cache; concurrent loads of one provider share a single request. */
export function createModelsCache(options: ModelsCacheOptions): ModelsCache {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const now = (): number => (options.clock ?? Date).now();
  const entries = new Map<string, ModelsCacheEntry>();
  const loading = new Map<string, Promise<ModelsCacheEntry>>();

  const load = (provider: string): Promise<ModelsCacheEntry> => {
    const running = loading.get(provider);
    if (running) return running;
    const promise = (async () => {
      const models = await options.load(provider);
      if (!Array.isArray(models)) throw new InvalidResponseError(`${provider}: model listing is not a list`, { provider });
      const entry = { models, fetchedAt: now() };
      entries.set(provider, entry);
      await options.store?.set(provider, entry).catch(() => undefined);
      return entry;
    })().finally(() => loading.delete(provider));
    loading.set(provider, promise);
    return promise;
  };

  return {
    async list(providers, listOptions = {}) {
      const listing: ModelsListing = { models: [], errors: [], stale: [] };
      const results = await Promise.all(
        providers.map(async (provider) => {
          let entry = entries.get(provider);
          if (!entry && options.store) {
            entry = (await options.store.get(provider).catch(() => undefined)) ?? undefined;
            if (entry) entries.set(provider, entry);
          }
          const fresh = entry !== undefined && now() - entry.fetchedAt < ttlMs;
          if (fresh && !listOptions.refresh) return { provider, entry };
          try {
            return { provider, entry: await load(provider) };
          } catch (error) {
            const typed = LLMError.isInstance(error) ? error : new LLMError(`${provider}: listing models failed: ${error instanceof Error ? error.message : String(error)}`, { provider, cause: error });
            return { provider, entry, error: typed, stale: entry !== undefined };
          }
        }),
      );
      for (const result of results) {
        if (result.entry) listing.models.push(...result.entry.models);
        if ('error' in result && result.error) listing.errors.push({ provider: result.provider, error: result.error });
        if ('stale' in result && result.stale) listing.stale.push(result.provider);
      }
      return listing;
    },
    invalidate(provider) {
      if (provider === undefined) entries.clear();
      else entries.delete(provider);
    },
  };
}
