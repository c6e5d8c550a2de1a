/** Token counts of one call, normalised across providers. */
export interface Usage {
  /** Prompt tokens, including cached ones. */
  inputTokens: number;
  /** Completion tokens, including reasoning tokens. */
  outputTokens: number;
  /** `inputTokens + outputTokens`. */
  totalTokens: number;
  /** Prompt tokens served from the provider's prompt cache, where reported. */
  cachedInputTokens?: number;
  /** Output tokens spent on hidden reasoning, where reported. */
  reasoningTokens?: number;
  /** True when the provider reported nothing and these counts are our estimate. */
  estimated?: boolean;
}

/** Why generation stopped, normalised. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';
