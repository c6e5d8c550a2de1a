import type { Usage } from '../../spec/usage';
import type { AnthropicUsage } from './anthropic-api-types';

/**
 * Normalises Anthropic usage. `input_tokens` counts only uncached prompt tokens, so cache reads and cache
 * writes are added back to get the whole prompt; cache reads are also reported as `cachedInputTokens`.
 */
export function convertAnthropicUsage(usage: AnthropicUsage | undefined): Usage {
  const cacheRead = usage?.cache_read_input_tokens ?? undefined;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const inputTokens = (usage?.input_tokens ?? 0) + (cacheRead ?? 0) + cacheWrite;
  const outputTokens = usage?.output_tokens ?? 0;
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (typeof cacheRead === 'number') result.cachedInputTokens = cacheRead;
  const thinking = usage?.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') result.reasoningTokens = thinking;
  return result;
}

/**
 * Folds a later usage report into an earlier one: `message_delta` carries the final `output_tokens` and,
 * with some Anthropic-compatible providers, the only correct `input_tokens`; absent fields keep the
 * `message_start` values.
 */
export function mergeAnthropicUsage(earlier: AnthropicUsage, later: AnthropicUsage | undefined): AnthropicUsage {
  if (!later) return earlier;
  const merged: AnthropicUsage = { ...earlier };
  for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    const value = later[key];
    if (typeof value === 'number') merged[key] = value;
  }
  if (later.output_tokens_details) merged.output_tokens_details = later.output_tokens_details;
  return merged;
}
