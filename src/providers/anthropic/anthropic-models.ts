import { requestJson } from '../../http/post-json';
import type { ModelInfo } from '../../spec/model-info';
import type { ProviderCallContext } from '../../spec/provider';
import type { AnthropicModelsPage } from './anthropic-api-types';
import { anthropicFetch, anthropicHeaders, type AnthropicConfig } from './anthropic-config';

// Pages are capped at 1000 entries; the loop bound only guards against a server that never says stop.
const maximumPages = 20;

/**
 * `GET /models`, following `has_more` / `after_id`. Listed ids (dated, like `claude-haiku-4-5-20251001`)
 * take their facts from the catalogue entry whose alias they extend.
 */
export async function listAnthropicModels(config: AnthropicConfig, known: readonly ModelInfo[], context: ProviderCallContext): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [];
  let afterId: string | undefined;
  for (let page = 0; page < maximumPages; page++) {
    const query = new URLSearchParams({ limit: '1000' });
    if (afterId) query.set('after_id', afterId);
    const body = await requestJson<AnthropicModelsPage>({
      url: `${config.baseUrl}/models?${query}`,
      fetch: anthropicFetch(context),
      headers: anthropicHeaders(config, context),
      signal: context.signal,
      provider: config.providerId,
    });
    for (const entry of body.data ?? []) models.push(describeModel(config.providerId, entry.id, known));
    if (!body.has_more || !body.last_id) break;
    afterId = body.last_id;
  }
  return models;
}

function describeModel(providerId: string, model: string, known: readonly ModelInfo[]): ModelInfo {
  const match = known.find((entry) => model === entry.model || model.startsWith(`${entry.model}-`));
  if (match) return { ...match, id: `${providerId}:${model}`, model };
  // Every Claude model since Claude 3 takes tools, images and JSON-through-tools; thinking since 3.7.
  const reasoning = !/claude-(instant|2|3-(opus|sonnet|haiku)|3-5)/.test(model);
  return {
    id: `${providerId}:${model}`,
    provider: providerId,
    model,
    capabilities: { tools: true, vision: true, json: true, embedding: false, reasoning },
    local: false,
  };
}
