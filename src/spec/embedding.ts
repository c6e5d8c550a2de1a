/** The embedding call a provider adapter receives. */
export interface ProviderEmbedCall {
  /** The provider's own embedding model id. */
  model: string;
  /** Texts to embed, in order. */
  input: string[];
  /** Requested output dimensions, for models that can shorten vectors. */
  dimensions?: number;
  /** Extra body fields per provider id, merged as is. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** What a provider adapter returns for an embedding call. */
export interface ProviderEmbedResult {
  /** One vector per input, in input order. */
  embeddings: number[][];
  /** Tokens the provider counted (estimated and flagged when it reported none). */
  usage: { inputTokens: number; estimated?: boolean };
  /** Model the provider says served the call. */
  model?: string;
}
