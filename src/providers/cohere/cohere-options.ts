import type { ModelInfo } from '../../spec/model-info';

/** Options of `createCohere`. */
export interface CohereProviderOptions {
  /** Managed API key, sent as `Authorization: Bearer`. Omit to accept only per-call (BYOK) keys. */
  apiKey?: string;
  /** API root including the version, `https://api.cohere.com/v2` by default. */
  baseUrl?: string;
  /** Instance id used in model refs (`cohere:command-a-03-2025`); `cohere` by default. */
  id?: string;
  /** Chat model used when a request names only the provider; `command-a-03-2025` by default. */
  defaultModel?: string;
  /** Embedding model used when an embed request names only the provider; `embed-v4.0` by default. */
  defaultEmbeddingModel?: string;
  /**
   * `input_type` sent to `/v2/embed` (required by v3+ embed models): `search_document` by default; use
   * `search_query` for queries, or `classification` / `clustering`. A per-call
   * `providerOptions.cohere.input_type` wins.
   */
  embeddingInputType?: 'search_document' | 'search_query' | 'classification' | 'clustering' | 'image';
  /** Extra headers sent with every request (`X-Client-Name`…). */
  headers?: Record<string, string>;
  /** Replaces the built-in model catalogue (context windows, capabilities, prices). */
  knownModels?: readonly ModelInfo[];
}
