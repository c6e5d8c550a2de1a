import type { ProviderChatResult } from '../spec/chat';
import type { ProviderEmbedResult } from '../spec/embedding';
import type { ProviderStreamPart } from '../spec/stream';

/** What the response cache keeps for one request. Only successful, complete answers are ever stored. */
export type CachedResponse = CachedChatResponse | CachedStreamResponse | CachedEmbedResponse;

/** A non-streaming chat answer. */
export interface CachedChatResponse {
  /** Discriminator. */
  kind: 'chat';
  /** Provider id that served it. */
  provider: string;
  /** Model that served it. */
  model: string;
  /** The provider's result. */
  result: ProviderChatResult;
  /** When it was stored, epoch ms. */
  storedAt: number;
}

/** A stream, as the parts it yielded (text, reasoning, tool calls, usage, finish), replayed in order. */
export interface CachedStreamResponse {
  /** Discriminator. */
  kind: 'stream';
  /** Provider id that served it. */
  provider: string;
  /** Model that served it. */
  model: string;
  /** Every part in order; the last one is the `finish` part. */
  parts: ProviderStreamPart[];
  /** When it was stored, epoch ms. */
  storedAt: number;
}

/** An embedding answer. */
export interface CachedEmbedResponse {
  /** Discriminator. */
  kind: 'embed';
  /** Provider id that served it. */
  provider: string;
  /** Model that served it. */
  model: string;
  /** The provider's result. */
  result: ProviderEmbedResult;
  /** When it was stored, epoch ms. */
  storedAt: number;
}

/** A response cache: in-process (lru-cache) or shared through a state store. */
export interface ResponseCache {
  /** The entry, or undefined when absent or expired. */
  get(key: string): Promise<CachedResponse | undefined>;
  /** Stores an entry for the cache's TTL (or `ttlMs`). Entries larger than the byte limit are not stored. */
  set(key: string, value: CachedResponse, ttlMs?: number): Promise<void>;
  /** Removes an entry. */
  delete(key: string): Promise<void>;
  /** Removes every entry this cache holds (in-process caches only; shared caches expire by TTL). */
  clear(): Promise<void>;
}
