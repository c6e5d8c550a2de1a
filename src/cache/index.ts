export { createCacheKey, cacheKeyMaterial, cacheKeyVersion, type CacheKeyInput, type CacheScope } from './cache-key';
export { canonicalJson } from './canonical-json';
export type { CachedChatResponse, CachedEmbedResponse, CachedResponse, CachedStreamResponse, ResponseCache } from './cached-response';
export { cachedResponseBytes } from './cached-response-bytes';
export { createMemoryResponseCache, type MemoryResponseCache, type MemoryResponseCacheOptions } from './response-cache';
export { createSharedResponseCache, type SharedResponseCacheOptions } from './shared-response-cache';
export { createSingleFlight, type SingleFlight } from './single-flight';
export { recordStream, replayStream } from './stream-cache';
export { createStreamSingleFlight, type StreamSingleFlight } from './stream-single-flight';
