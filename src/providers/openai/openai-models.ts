import { InvalidResponseError } from '../../errors/invalid-response-error';
import { requestJson } from '../../http/post-json';
import type { ModelCapabilities, ModelInfo, ModelPricing } from '../../spec/model-info';
import type { ProviderCallContext } from '../../spec/provider';
import type { OpenAIEndpoint } from './openai-endpoint';

/** What a model id says about the model, for servers whose `/models` lists ids only. */
export function inferOpenAICapabilities(model: string): ModelCapabilities {
  const id = model.toLowerCase();
  const embedding = /embed/.test(id);
  const reasoning = !embedding && /(^|\/)(o\d)(-|$)|gpt-5|reason|(^|[-/])r1([-:]|$)|qwq|magistral|thinking|grok-3-mini|grok-4|qwen3/.test(id);
  const vision = !embedding && /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|(^|\/)o[34]|vision|-vl|llava|pixtral|gemma-3|llama-4|grok-4/.test(id);
  const chat = !embedding && !/whisper|tts|dall-e|moderation|transcribe|audio|image/.test(id);
  return { tools: chat, vision, json: chat, embedding, reasoning };
}

interface CatalogueEntry {
  contextWindow: number;
  maxOutputTokens?: number;
  pricing: ModelPricing;
}

// OpenAI list prices (USD per million tokens) and limits of common models, as published on openai.com/api/pricing.
const openAICatalogue: Record<string, CatalogueEntry> = {
  'gpt-4o-mini': { contextWindow: 128_000, maxOutputTokens: 16_384, pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 } },
  'gpt-4o': { contextWindow: 128_000, maxOutputTokens: 16_384, pricing: { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 } },
  'gpt-4.1': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 } },
  'gpt-4.1-mini': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 } },
  'gpt-4.1-nano': { contextWindow: 1_047_576, maxOutputTokens: 32_768, pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 } },
  'o4-mini': { contextWindow: 200_000, maxOutputTokens: 100_000, pricing: { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 } },
  'text-embedding-3-small': { contextWindow: 8_191, pricing: { inputPerMillion: 0.02, outputPerMillion: 0 } },
  'text-embedding-3-large': { contextWindow: 8_191, pricing: { inputPerMillion: 0.13, outputPerMillion: 0 } },
};

/** The static catalogue of well-known OpenAI models, as `ModelInfo` for provider `id`. */
export function openAIKnownModels(provider: string): ModelInfo[] {
  return Object.entries(openAICatalogue).map(([model, entry]) => ({
    id: `${provider}:${model}`,
    provider,
    model,
    contextWindow: entry.contextWindow,
    ...(entry.maxOutputTokens !== undefined ? { maxOutputTokens: entry.maxOutputTokens } : {}),
    capabilities: inferOpenAICapabilities(model),
    pricing: entry.pricing,
    local: false,
  }));
}

interface ListedModel {
  id?: string;
  /** OpenRouter, Together and others. */
  context_length?: number;
  /** Groq. */
  context_window?: number;
  /** OpenRouter: USD per token, as strings. */
  pricing?: { prompt?: string | number; completion?: string | number };
}

function perMillion(value: string | number | undefined): number | undefined {
  const number = typeof value === 'string' ? Number.parseFloat(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number * 1_000_000 : undefined;
}

/** Options of `listOpenAIModels`. */
export interface ListOpenAIModelsOptions {
  /** Local server: every model is free. */
  local: boolean;
  /** Known models whose limits and prices fill in what the server does not say. */
  knownModels?: readonly ModelInfo[];
}

/** `GET /models`: accepts `{ data: [...] }` (OpenAI) and a bare array (Together). */
export async function listOpenAIModels(endpoint: OpenAIEndpoint, context: ProviderCallContext, options: ListOpenAIModelsOptions): Promise<ModelInfo[]> {
  const provider = endpoint.provider;
  const response = await requestJson<{ data?: ListedModel[] } | ListedModel[]>({
    url: endpoint.url('/models'),
    fetch: context.fetch,
    headers: endpoint.headers(context),
    signal: context.signal,
    provider,
  });
  const listed = Array.isArray(response) ? response : response?.data;
  if (!Array.isArray(listed)) throw new InvalidResponseError(`${provider}: /models did not return a list`, { provider });
  const known = new Map((options.knownModels ?? []).map((info) => [info.model, info]));
  return listed
    .filter((item): item is ListedModel & { id: string } => typeof item?.id === 'string' && item.id.length > 0)
    .map((item) => {
      const catalogued = known.get(item.id);
      const info: ModelInfo = {
        id: `${provider}:${item.id}`,
        provider,
        model: item.id,
        capabilities: catalogued?.capabilities ?? inferOpenAICapabilities(item.id),
        local: options.local,
      };
      const contextWindow = item.context_length ?? item.context_window ?? catalogued?.contextWindow;
      if (typeof contextWindow === 'number') info.contextWindow = contextWindow;
      if (catalogued?.maxOutputTokens !== undefined) info.maxOutputTokens = catalogued.maxOutputTokens;
      const input = perMillion(item.pricing?.prompt);
      const output = perMillion(item.pricing?.completion);
      if (options.local) info.pricing = { inputPerMillion: 0, outputPerMillion: 0 };
      else if (input !== undefined && output !== undefined) info.pricing = { inputPerMillion: input, outputPerMillion: output };
      else if (catalogued?.pricing) info.pricing = catalogued.pricing;
      return info;
    });
}
