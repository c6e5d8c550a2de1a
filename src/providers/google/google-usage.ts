import type { Usage } from '../../spec/usage';
import type { GoogleUsageMetadata } from './google-api-types';

/**
 * Normalises `usageMetadata`. Gemini counts thinking apart from the answer (`thoughtsTokenCount` next to
 * `candidatesTokenCount`), and both are billed as output; cached tokens are part of `promptTokenCount`.
 */
export function convertGoogleUsage(usage: GoogleUsageMetadata | undefined): Usage {
  const inputTokens = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount;
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0);
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (typeof usage?.cachedContentTokenCount === 'number') result.cachedInputTokens = usage.cachedContentTokenCount;
  if (typeof thoughts === 'number') result.reasoningTokens = thoughts;
  return result;
}

/** True when the metadata carries counts (early Vertex stream events carry only `trafficType`). */
export function hasGoogleTokenCounts(usage: GoogleUsageMetadata | undefined): usage is GoogleUsageMetadata {
  return usage !== undefined && (typeof usage.promptTokenCount === 'number' || typeof usage.totalTokenCount === 'number' || typeof usage.candidatesTokenCount === 'number');
}
