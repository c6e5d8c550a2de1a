import { requestJson } from '../../http/post-json';
import type { ModelInfo } from '../../spec/model-info';
import type { ProviderCallContext } from '../../spec/provider';
import type { GoogleModelsPage } from './google-api-types';
import { googleFetch, googleHeaders, type GoogleConfig } from './google-config';

// The guard only stops a server that hands out page tokens forever.
const maximumPages = 20;

/** `GET /models`, following `nextPageToken`; names `models/x` become ids `x`. */
export async function listGoogleModels(config: GoogleConfig, known: readonly ModelInfo[], context: ProviderCallContext): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < maximumPages; page++) {
    const query = new URLSearchParams({ pageSize: '1000' });
    if (pageToken) query.set('pageToken', pageToken);
    const body = await requestJson<GoogleModelsPage>({
      url: `${config.baseUrl}/models?${query}`,
      fetch: googleFetch(context),
      headers: googleHeaders(config, context),
      signal: context.signal,
      provider: config.providerId,
    });
    for (const entry of body.models ?? []) {
      const model = entry.name.replace(/^models\//, '');
      const methods = entry.supportedGenerationMethods ?? [];
      const embedding = methods.includes('embedContent') && !methods.includes('generateContent');
      const catalogued = known.find((candidate) => candidate.model === model);
      models.push({
        id: `${config.providerId}:${model}`,
        provider: config.providerId,
        model,
        ...(entry.inputTokenLimit ? { contextWindow: entry.inputTokenLimit } : {}),
        ...(entry.outputTokenLimit ? { maxOutputTokens: entry.outputTokenLimit } : {}),
        capabilities: {
          tools: !embedding && methods.includes('generateContent'),
          vision: !embedding && /gemini/.test(model),
          json: !embedding && methods.includes('generateContent'),
          embedding,
          reasoning: entry.thinking === true,
        },
        ...(catalogued?.pricing ? { pricing: catalogued.pricing } : {}),
        local: false,
      });
    }
    if (!body.nextPageToken) break;
    pageToken = body.nextPageToken;
  }
  return models;
}
