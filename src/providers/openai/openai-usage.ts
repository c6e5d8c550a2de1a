import type { Usage } from '../../spec/usage';

/** The usage object of a Chat Completions response, with the fields compatible servers add. */
export interface OpenAIUsagePayload {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** DeepSeek's name for cached prompt tokens. */
  prompt_cache_hit_tokens?: number | null;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Normalises a Chat Completions usage object; undefined when it holds no token counts. */
export function normalizeOpenAIUsage(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as OpenAIUsagePayload;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const inputTokens = prompt ?? 0;
  let outputTokens = completion ?? 0;
  const reasoningTokens = count(usage.completion_tokens_details?.reasoning_tokens);
  const cachedInputTokens = count(usage.prompt_tokens_details?.cached_tokens) ?? count(usage.prompt_cache_hit_tokens);
  // xAI counts reasoning outside `completion_tokens` (total = prompt + completion + reasoning); our
  // `outputTokens` always includes reasoning, so add it back when the total proves it was left out.
  const total = count(usage.total_tokens);
  if (reasoningTokens && total !== undefined && total === inputTokens + outputTokens + reasoningTokens) {
    outputTokens += reasoningTokens;
  }
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (cachedInputTokens !== undefined) result.cachedInputTokens = cachedInputTokens;
  if (reasoningTokens !== undefined) result.reasoningTokens = reasoningTokens;
  return result;
}

/** Normalises a Responses API usage object (`input_tokens`, `output_tokens` and their details). */
export function normalizeOpenAIResponsesUsage(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as {
    input_tokens?: number;
    output_tokens?: number;
    input_tokens_details?: { cached_tokens?: number } | null;
    output_tokens_details?: { reasoning_tokens?: number } | null;
  };
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const result: Usage = { inputTokens: input ?? 0, outputTokens: output ?? 0, totalTokens: (input ?? 0) + (output ?? 0) };
  const cached = count(usage.input_tokens_details?.cached_tokens);
  if (cached !== undefined) result.cachedInputTokens = cached;
  const reasoning = count(usage.output_tokens_details?.reasoning_tokens);
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}
