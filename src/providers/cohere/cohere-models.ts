import type { ModelCapabilities, ModelInfo } from '../../spec/model-info';
import type { CohereModelEntry } from './cohere-api-types';

interface CatalogueEntry {
  model: string;
  contextWindow: number;
  maxOutputTokens?: number;
  capabilities: Partial<ModelCapabilities>;
  inputPerMillion: number;
  outputPerMillion: number;
}

// Published list prices in USD per million tokens (cohere.com/pricing) at the time of writing; the
// pricing table of the governance layer may override them.
const catalogue: CatalogueEntry[] = [
  { model: 'command-a-03-2025', contextWindow: 256_000, maxOutputTokens: 8_000, capabilities: { tools: true, json: true }, inputPerMillion: 2.5, outputPerMillion: 10 },
  { model: 'command-a-reasoning-08-2025', contextWindow: 256_000, maxOutputTokens: 32_000, capabilities: { tools: true, json: true, reasoning: true }, inputPerMillion: 2.5, outputPerMillion: 10 },
  { model: 'command-a-vision-07-2025', contextWindow: 128_000, maxOutputTokens: 8_000, capabilities: { vision: true, json: true }, inputPerMillion: 2.5, outputPerMillion: 10 },
  { model: 'command-r-plus-08-2024', contextWindow: 128_000, maxOutputTokens: 4_000, capabilities: { tools: true, json: true }, inputPerMillion: 2.5, outputPerMillion: 10 },
  { model: 'command-r-08-2024', contextWindow: 128_000, maxOutputTokens: 4_000, capabilities: { tools: true, json: true }, inputPerMillion: 0.15, outputPerMillion: 0.6 },
  { model: 'command-r7b-12-2024', contextWindow: 128_000, maxOutputTokens: 4_000, capabilities: { tools: true, json: true }, inputPerMillion: 0.0375, outputPerMillion: 0.15 },
  { model: 'embed-v4.0', contextWindow: 128_000, capabilities: { embedding: true }, inputPerMillion: 0.12, outputPerMillion: 0 },
];

const noCapabilities: ModelCapabilities = { tools: false, vision: false, json: false, embedding: false, reasoning: false };

/** The built-in catalogue, as `ModelInfo` under the given provider id. */
export function cohereKnownModels(provider: string): ModelInfo[] {
  return catalogue.map((entry) => ({
    id: `${provider}:${entry.model}`,
    provider,
    model: entry.model,
    contextWindow: entry.contextWindow,
    ...(entry.maxOutputTokens !== undefined ? { maxOutputTokens: entry.maxOutputTokens } : {}),
    capabilities: { ...noCapabilities, ...entry.capabilities },
    pricing: { inputPerMillion: entry.inputPerMillion, outputPerMillion: entry.outputPerMillion },
    local: false,
  }));
}

/**
 * Converts a `GET /v1/models` entry; only chat and embed models are kept. Capabilities come from the
 * entry's `features` (`tool_use`, `strict_tools`, `vision`, `json_mode`, `json_schema`, `reasoning`…),
 * prices from the catalogue when the model is in it.
 */
export function convertCohereModel(entry: CohereModelEntry, provider: string, known: readonly ModelInfo[]): ModelInfo | undefined {
  const name = entry.name;
  const endpoints = entry.endpoints ?? [];
  if (!name || !(endpoints.includes('chat') || endpoints.includes('embed'))) return undefined;
  const features = (entry.features ?? []).join(' ').toLowerCase();
  const catalogued = known.find((model) => model.model === name);
  const capabilities: ModelCapabilities = {
    tools: /tool/.test(features),
    vision: /vision|image/.test(features),
    json: /json/.test(features),
    embedding: endpoints.includes('embed') && !endpoints.includes('chat'),
    reasoning: /reason|think/.test(features),
  };
  const info: ModelInfo = {
    id: `${provider}:${name}`,
    provider,
    model: name,
    capabilities: catalogued ? { ...capabilities, ...pickTrue(catalogued.capabilities) } : capabilities,
    local: false,
  };
  const contextWindow = entry.context_length ?? catalogued?.contextWindow;
  if (contextWindow !== undefined) info.contextWindow = contextWindow;
  if (catalogued?.maxOutputTokens !== undefined) info.maxOutputTokens = catalogued.maxOutputTokens;
  if (catalogued?.pricing) info.pricing = catalogued.pricing;
  return info;
}

function pickTrue(capabilities: ModelCapabilities): Partial<ModelCapabilities> {
  return Object.fromEntries(Object.entries(capabilities).filter(([, value]) => value)) as Partial<ModelCapabilities>;
}
