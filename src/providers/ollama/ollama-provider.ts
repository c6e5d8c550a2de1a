import { InvalidResponseError } from '../../errors/invalid-response-error';
import { LLMError } from '../../errors/llm-error';
import { readNewlineDelimitedJson } from '../../http/newline-delimited-json';
import { requestJson, sendProviderRequest } from '../../http/post-json';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import type { ModelInfo } from '../../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import { checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';
import type { OllamaChatChunk, OllamaShowResponse, OllamaTagsResponse } from './ollama-api-types';
import { parseOllamaChatResponse } from './ollama-chat-response';
import { embedWithOllama } from './ollama-embed';
import { convertOllamaModel } from './ollama-models';
import type { OllamaProviderOptions } from './ollama-options';
import { buildOllamaChatBody } from './ollama-request-body';
import { readOllamaStream } from './ollama-stream';
import { markTakesAbortSignalLike } from '../../http/takes-abort-signal-like';

/** An adapter for Ollama's native API: `/api/chat` (JSON and NDJSON), `/api/embed`, `/api/tags`. */
export function createOllama(options: OllamaProviderOptions = {}): LanguageModelProvider {
  const id = checkProviderId('createOllama', options.id ?? 'ollama');
  const baseUrl = normalizeBaseUrl('createOllama', options.baseUrl ?? 'http://localhost:11434', id).replace(/\/api$/, '');
  const defaultModel = options.defaultModel ?? 'llama3.2';
  const defaultEmbeddingModel = options.defaultEmbeddingModel ?? 'nomic-embed-text';
  const managedKey = options.apiKey;

  const headersFor = (context: ProviderCallContext): Record<string, string> => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...context.headers };
    const key = context.apiKey ?? managedKey;
    if (key) headers.authorization = `Bearer ${key}`;
    return headers;
  };

  const chat = async (call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> => {
    const model = call.model || defaultModel;
    const response = await requestJson<OllamaChatChunk>({
      url: `${baseUrl}/api/chat`,
      fetch: context.fetch,
      headers: headersFor(context),
      body: buildOllamaChatBody(call, model, false, id, options.keepAlive),
      signal: context.signal,
      provider: id,
      model,
    });
    return parseOllamaChatResponse(response, call, id, model);
  };

  async function* stream(call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart> {
    const model = call.model || defaultModel;
    const response = await sendProviderRequest({
      url: `${baseUrl}/api/chat`,
      fetch: context.fetch,
      headers: { ...headersFor(context), accept: 'application/x-ndjson' },
      body: buildOllamaChatBody(call, model, true, id, options.keepAlive),
      signal: context.signal,
      provider: id,
      model,
    });
    if (!response.body) throw new InvalidResponseError(`${id}: streaming response has no body`, { provider: id, model });
    yield* readOllamaStream(readNewlineDelimitedJson<OllamaChatChunk>(response.body, id, context.signal), call, id, model);
  }

  const embed = (call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> => {
    const model = call.model || defaultEmbeddingModel;
    return embedWithOllama(
      { ...call, model },
      { url: `${baseUrl}/api/embed`, fetch: context.fetch, headers: headersFor(context), signal: context.signal, provider: id, keepAlive: options.keepAlive },
    );
  };

  const listModels = async (context: ProviderCallContext): Promise<ModelInfo[]> => {
    const headers = headersFor(context);
    const tags = await requestJson<OllamaTagsResponse>({ url: `${baseUrl}/api/tags`, fetch: context.fetch, headers, signal: context.signal, provider: id });
    if (!Array.isArray(tags?.models)) throw new InvalidResponseError(`${id}: /api/tags answered without a models list`, { provider: id });
    const models: ModelInfo[] = [];
    // One at a time: a local server loads metadata from disk, and parallel requests gain little.
    for (const entry of tags.models) {
      const name = entry.name ?? entry.model;
      let details: OllamaShowResponse | undefined;
      if (name && options.inspectModels !== false) {
        try {
          details = await requestJson<OllamaShowResponse>({ url: `${baseUrl}/api/show`, fetch: context.fetch, headers, body: { model: name }, signal: context.signal, provider: id, model: name });
        } catch (error) {
          // Older servers without `capabilities` or a model that vanished: fall back to what the tags say.
          if (LLMError.isInstance(error) && error.code === 'aborted') throw error;
          details = undefined;
        }
      }
      const info = convertOllamaModel(entry, id, details);
      if (info) models.push(info);
    }
    return models;
  };

  return markTakesAbortSignalLike({
    id,
    wireFormat: 'ollama',
    local: true,
    defaultModel,
    defaultEmbeddingModel,
    // A local server needs no key, so the adapter can always serve on its own.
    hasApiKey: true,
    baseUrl,
    knownModels: options.knownModels ?? [],
    chat,
    stream,
    embed,
    listModels,
  });
}
