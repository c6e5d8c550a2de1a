import type { ModelInfo } from '../../spec/model-info';

// List prices in USD per million tokens (cache reads are billed at a tenth of the input price).
const catalogue: Array<{ model: string; contextWindow: number; maxOutputTokens: number; input: number; output: number; reasoning: boolean }> = [
  { model: 'claude-haiku-4-5', contextWindow: 200_000, maxOutputTokens: 64_000, input: 1, output: 5, reasoning: true },
  { model: 'claude-sonnet-4-5', contextWindow: 200_000, maxOutputTokens: 64_000, input: 3, output: 15, reasoning: true },
  { model: 'claude-opus-4-5', contextWindow: 200_000, maxOutputTokens: 64_000, input: 5, output: 25, reasoning: true },
  { model: 'claude-opus-4-1', contextWindow: 200_000, maxOutputTokens: 32_000, input: 15, output: 75, reasoning: true },
  { model: 'claude-sonnet-4-0', contextWindow: 200_000, maxOutputTokens: 64_000, input: 3, output: 15, reasoning: true },
  { model: 'claude-3-5-haiku-latest', contextWindow: 200_000, maxOutputTokens: 8_192, input: 0.8, output: 4, reasoning: false },
];

/** The static catalogue of current Claude models for a provider instance id. */
export function anthropicKnownModels(providerId: string): ModelInfo[] {
  return catalogue.map((entry) => ({
    id: `${providerId}:${entry.model}`,
    provider: providerId,
    model: entry.model,
    contextWindow: entry.contextWindow,
    maxOutputTokens: entry.maxOutputTokens,
    capabilities: { tools: true, vision: true, json: true, embedding: false, reasoning: entry.reasoning },
    pricing: { inputPerMillion: entry.input, outputPerMillion: entry.output, cachedInputPerMillion: entry.input / 10 },
    local: false,
  }));
}
