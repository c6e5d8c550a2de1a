import type { ModelInfo } from '../../spec/model-info';

// Paid-tier list prices in USD per million tokens (prompts up to 200k tokens for 2.5 Pro).
const catalogue: Array<{ model: string; contextWindow: number; maxOutputTokens?: number; input: number; output: number; embedding?: boolean }> = [
  { model: 'gemini-2.5-flash', contextWindow: 1_048_576, maxOutputTokens: 65_536, input: 0.3, output: 2.5 },
  { model: 'gemini-2.5-flash-lite', contextWindow: 1_048_576, maxOutputTokens: 65_536, input: 0.1, output: 0.4 },
  { model: 'gemini-2.5-pro', contextWindow: 1_048_576, maxOutputTokens: 65_536, input: 1.25, output: 10 },
  { model: 'gemini-embedding-001', contextWindow: 2_048, input: 0.15, output: 0, embedding: true },
];

/** The static catalogue of current Gemini models for a provider instance id. */
export function googleKnownModels(providerId: string): ModelInfo[] {
  return catalogue.map((entry) => ({
    id: `${providerId}:${entry.model}`,
    provider: providerId,
    model: entry.model,
    contextWindow: entry.contextWindow,
    ...(entry.maxOutputTokens ? { maxOutputTokens: entry.maxOutputTokens } : {}),
    capabilities: entry.embedding
      ? { tools: false, vision: false, json: false, embedding: true, reasoning: false }
      : { tools: true, vision: true, json: true, embedding: false, reasoning: true },
    pricing: { inputPerMillion: entry.input, outputPerMillion: entry.output },
    local: false,
  }));
}
