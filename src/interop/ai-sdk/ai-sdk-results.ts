import type { FinishReason, Usage } from '../../spec/usage';
import type { AISDKFinishReason, AISDKUsage } from './ai-sdk-types';

const finishReasons = new Set<FinishReason>(['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other']);

/** The AI SDK's finish reason (V3 `{ unified, raw }` or V2 string) as ours plus the raw string. */
export function fromAISDKFinishReason(reason: AISDKFinishReason | undefined): { finishReason: FinishReason; rawFinishReason?: string } {
  const unified = typeof reason === 'string' ? reason : reason?.unified;
  const raw = typeof reason === 'string' ? reason : reason?.raw;
  const finishReason = finishReasons.has(unified as FinishReason) ? (unified as FinishReason) : 'other';
  return raw !== undefined ? { finishReason, rawFinishReason: raw } : { finishReason };
}

function total(value: AISDKUsage['inputTokens'] | AISDKUsage['outputTokens']): number | undefined {
  if (typeof value === 'number') return value;
  if (value === undefined) return undefined;
  if (value.total !== undefined) return value.total;
  // Some providers report only the parts.
  const parts = Object.values(value).filter((part): part is number => typeof part === 'number');
  return parts.length > 0 ? parts.reduce((sum, part) => sum + part, 0) : undefined;
}

/**
 * The AI SDK's usage (V3 nested `{ inputTokens: { total, cacheRead, … }, outputTokens: { total, reasoning } }`
 * or V2 flat numbers) as ours; undefined when it carries no counts at all, so the caller can estimate.
 */
export function fromAISDKUsage(usage: AISDKUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const inputTokens = total(usage.inputTokens);
  const outputTokens = total(usage.outputTokens);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const converted: Usage = {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    totalTokens: (inputTokens ?? 0) + (outputTokens ?? 0),
  };
  const cached = typeof usage.inputTokens === 'object' ? usage.inputTokens.cacheRead : usage.cachedInputTokens;
  if (cached !== undefined) converted.cachedInputTokens = cached;
  const reasoning = typeof usage.outputTokens === 'object' ? usage.outputTokens.reasoning : usage.reasoningTokens;
  if (reasoning !== undefined) converted.reasoningTokens = reasoning;
  return converted;
}
