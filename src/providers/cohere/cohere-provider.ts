import { AuthenticationError } from '../../errors/authentication-error';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { requestJson, sendProviderRequest } from '../../http/post-json';
import { batched, type BatchedIterable } from '../../http/part-batches';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import type { ModelInfo } from '../../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import { collectProviderOptions } from '../shared/merge-provider-options';
import { checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';
import type { CohereChatResponse, CohereModelsResponse } from './cohere-api-types';
import { parseCohereChatResponse } from './cohere-chat-response';
import { embedWithCohere } from './cohere-embed';
import { cohereKnownModels, convertCohereModel } from './cohere-models';
import type { CohereProviderOptions } from './cohere-options';
import { buildCohereChatBody } from './cohere-request-body';
import { readCohereStreamBatches } from './cohere-stream';
import { markTakesAbortSignalLike } from '../../http/takes-abort-signal-like';

const defaultBaseUrl = 'https://api.cohere.com/v2';
// Following at most this many pages of `/v1/models` keeps a misbehaving server from looping us forever.
const maximumModelPages = 20;

/** A Cohere v2 adapter: `/v2/chat` (JSON and SSE), `/v2/embed`, and `/v1/models` on the same host. */
export function createCohere(options: CohereProviderOptions = {}): LanguageModelProvider {
  const id = checkProviderId('createCohere', options.id ?? 'cohere');
  const baseUrl = normalizeBaseUrl('createCohere', options.baseUrl ?? defaultBaseUrl, id);
  // The models list lives under v1 even for v2 clients.
  const modelsUrl = `${baseUrl.replace(/\/v\d+$/, '')}/v1/models`;
  const managedKey = options.apiKey;
  const knownModels = options.knownModels ?? cohereKnownModels(id);
  const defaultModel = options.defaultModel ?? 'command-a-03-2025';
  const defaultEmbeddingModel = options.defaultEmbeddingModel ?? 'embed-v4.0';

  const headersFor = (context: ProviderCallContext, model?: string): Record<string, string> => {
    const key = context.apiKey ?? managedKey;
    if (!key) {
      throw new AuthenticationError(`${id}: no API key (configure apiKey or pass a per-call key)`, { provider: id, model });
    }
    return { accept: 'application/json', ...options.headers, ...context.headers, authorization: `Bearer ${key}` };
  };

  const chat = async (call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> => {
    const model = call.model || defaultModel;
    const response = await requestJson<CohereChatResponse>({
      url: `${baseUrl}/chat`,
      fetch: context.fetch,
      headers: headersFor(context, model),
      body: buildCohereChatBody(call, model, false, id),
      signal: context.signal,
      provider: id,
      model,
    });
    return parseCohereChatResponse(response, id, model);
  };

  const stream = (call: ProviderChatCall, context: ProviderCallContext): BatchedIterable<ProviderStreamPart> => batched(() => streamBatches(call, context));

  async function* streamBatches(call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart[]> {
    const model = call.model || defaultModel;
    const response = await sendProviderRequest({
      url: `${baseUrl}/chat`,
      fetch: context.fetch,
      headers: { ...headersFor(context, model), accept: 'text/event-stream' },
      body: buildCohereChatBody(call, model, true, id),
      signal: context.signal,
      provider: id,
      model,
    });
    if (!response.body) throw new InvalidResponseError(`${id}: streaming response has no body`, { provider: id, model });
    yield* readCohereStreamBatches(response.body, id, model, context.signal);
  }

  const embed = (call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> => {
    const model = call.model || defaultEmbeddingModel;
    const inputType = collectProviderOptions(call.providerOptions, { wireFormat: 'cohere', provider: id }).input_type ?? options.embeddingInputType ?? 'search_document';
    return embedWithCohere(
      { ...call, model },
      { url: `${baseUrl}/embed`, fetch: context.fetch, headers: headersFor(context, model), signal: context.signal, provider: id, inputType: String(inputType) },
    );
  };

  const listModels = async (context: ProviderCallContext): Promise<ModelInfo[]> => {
    const models: ModelInfo[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < maximumModelPages; page++) {
      const url = `${modelsUrl}?page_size=1000${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`;
      const response = await requestJson<CohereModelsResponse>({ url, fetch: context.fetch, headers: headersFor(context), signal: context.signal, provider: id });
      if (!Array.isArray(response?.models)) throw new InvalidResponseError(`${id}: models response has no models list`, { provider: id });
      for (const entry of response.models) {
        const info = convertCohereModel(entry, id, knownModels);
        if (info) models.push(info);
      }
      pageToken = response.next_page_token || undefined;
      if (!pageToken) break;
    }
    return models;
  };

  return markTakesAbortSignalLike({
    id,
    wireFormat: 'cohere',
    local: false,
    defaultModel,
    defaultEmbeddingModel,
    hasApiKey: Boolean(managedKey),
    baseUrl,
    knownModels,
    chat,
    stream,
    embed,
    listModels,
  });
}
