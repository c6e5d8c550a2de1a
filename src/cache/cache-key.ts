import type { GenerationSettings } from '../spec/chat';

/** Who may read a cache entry: one user (the default) or everyone (only when the host asks). */
export type CacheScope = 'user' | 'global';

export interface CacheKeyInput {
  /** `chat` and `stream` are kept apart (their entries differ); `embed` for embeddings. */
  operation: 'chat' | 'stream' | 'embed';
  /** The requested model reference(s) as given (`openai:gpt-4o-mini`, `auto`, a list). */
  model: string | readonly string[] | undefined;
  /** The generation settings (after conversation context was added), or the embed input. */
  request: Partial<GenerationSettings> & { input?: string | readonly string[]; dimensions?: number };
  /** The end user; their entries are theirs alone unless `scope` is `global`. */
  userId?: string;
  /** Default `user`. */
  scope?: CacheScope;
}

/** Version of the key layout; bump it when the fields change so old entries are never misread. */
export const cacheKeyVersion = 'v1';

type ComputeCacheKey = typeof import('./compute-cache-key');
let loaded: ComputeCacheKey | undefined;
let loading: Promise<ComputeCacheKey> | undefined;

/**
 * The cache key of a request: SHA-256 over the canonical JSON of its meaningful fields, the model
 * reference, the operation and the scope (the user id unless the host chose a global cache). Fields that do
 * not change the answer (signal, metadata, feature, timeouts) are not part of it.
 */
export async function createCacheKey(input: CacheKeyInput): Promise<string> {
  // The first call waits for the keying code to load; later ones go straight to it.
  const keying = loaded ?? (await (loading ??= import('./compute-cache-key').then((module) => (loaded = module))));
  return keying.computeCacheKey(input);
}

/**
 * The cache key without a promise once the keying code has loaded and the runtime hashes synchronously
 * (Node, Bun, Deno); a promise of it otherwise. For the manager, which keys every call of a caching host.
 */
export function cacheKeyNow(input: CacheKeyInput): string | Promise<string> {
  return loaded ? loaded.computeCacheKey(input) : createCacheKey(input);
}
