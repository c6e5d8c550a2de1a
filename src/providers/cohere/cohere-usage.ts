import type { Usage } from '../../spec/usage';
import type { CohereUsage } from './cohere-api-types';

/**
 * Cohere reports two pairs of counts: `billed_units` (what the account is charged for) and `tokens`
 * (everything the model processed, including the preamble Cohere adds: 507 processed for 12 billed input
 * tokens in a one-line prompt). Costs are computed from usage, so input/output tokens are the billed
 * units; `tokens` is used only when a response has no billed units. `cached_tokens` counts against the
 * processed total, not the billed one, so it is not reported as `cachedInputTokens` (it would exceed
 * `inputTokens`).
 */
export function convertCohereUsage(usage: CohereUsage | undefined): Usage {
  const billed = usage?.billed_units;
  const processed = usage?.tokens;
  const input = billed?.input_tokens ?? processed?.input_tokens;
  const output = billed?.output_tokens ?? processed?.output_tokens;
  const inputTokens = input ?? 0;
  const outputTokens = output ?? 0;
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (input === undefined && output === undefined) result.estimated = true;
  return result;
}
