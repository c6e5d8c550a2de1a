import type { ModelCapabilities, ModelInfo } from '../../spec/model-info';
import type { OllamaShowResponse, OllamaTagEntry } from './ollama-api-types';

const embeddingFamilies = /bert|embed/i;

/**
 * A `/api/tags` entry as `ModelInfo`: local and free. With `/api/show` details, capabilities come from its
 * `capabilities` list (`completion`, `tools`, `vision`, `thinking`, `embedding`) and the context window
 * from `model_info["<architecture>.context_length"]`; without them only embedding models are recognised
 * (by family or name) and the rest stays unknown (false).
 */
export function convertOllamaModel(entry: OllamaTagEntry, provider: string, details?: OllamaShowResponse): ModelInfo | undefined {
  const name = entry.name ?? entry.model;
  if (!name) return undefined;
  const families = [entry.details?.family ?? '', ...(entry.details?.families ?? [])].join(' ');
  const declared = details?.capabilities;
  const capabilities: ModelCapabilities = declared
    ? {
        tools: declared.includes('tools'),
        vision: declared.includes('vision'),
        // Every completion model takes `format` (JSON mode and JSON Schema, by constrained decoding).
        json: declared.includes('completion'),
        embedding: declared.includes('embedding'),
        reasoning: declared.includes('thinking'),
      }
    : { tools: false, vision: false, json: false, embedding: embeddingFamilies.test(families) || /embed/i.test(name), reasoning: false };
  const info: ModelInfo = {
    id: `${provider}:${name}`,
    provider,
    model: name,
    capabilities,
    pricing: { inputPerMillion: 0, outputPerMillion: 0 },
    local: true,
  };
  const contextWindow = contextLengthOf(details?.model_info);
  if (contextWindow !== undefined) info.contextWindow = contextWindow;
  return info;
}

function contextLengthOf(modelInfo: Record<string, unknown> | undefined): number | undefined {
  if (!modelInfo) return undefined;
  for (const [key, value] of Object.entries(modelInfo)) {
    if (key.endsWith('.context_length') && typeof value === 'number' && value > 0) return value;
  }
  return undefined;
}
