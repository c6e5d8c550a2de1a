import { InvalidResponseError } from '../../errors/invalid-response-error';
import { estimateEmbeddingTokens } from '../../governance/token-estimate';
import { createProviderError } from '../../http/provider-error';
import { requestJson } from '../../http/post-json';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import { collectProviderOptions } from '../shared/merge-provider-options';
import type { OllamaEmbedResponse } from './ollama-api-types';

/** What an embed request needs besides the call itself. */
export interface OllamaEmbedRequest {
  url: string;
  fetch: typeof globalThis.fetch;
  headers: Record<string, string>;
  signal?: AbortSignal;
  provider: string;
  keepAlive?: string | number;
}

/** `/api/embed` with all inputs in one request; usage is `prompt_eval_count` (estimated when absent). */
export async function embedWithOllama(call: ProviderEmbedCall, request: OllamaEmbedRequest): Promise<ProviderEmbedResult> {
  const body: Record<string, unknown> = { model: call.model, input: call.input };
  if (call.dimensions !== undefined) body.dimensions = call.dimensions;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  Object.assign(body, collectProviderOptions(call.providerOptions, { wireFormat: 'ollama', provider: request.provider }));
  const response = await requestJson<OllamaEmbedResponse & { error?: string }>({
    url: request.url,
    fetch: request.fetch,
    headers: request.headers,
    body,
    signal: request.signal,
    provider: request.provider,
    model: call.model,
  });
  if (typeof response?.error === 'string') throw createProviderError({ provider: request.provider, model: call.model, body: response });
  const vectors = response?.embeddings;
  if (!Array.isArray(vectors) || vectors.length !== call.input.length) {
    throw new InvalidResponseError(
      `${request.provider}: embed returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${call.input.length} inputs`,
      { provider: request.provider, model: call.model },
    );
  }
  const counted = response.prompt_eval_count;
  const usage =
    counted === undefined
      ? { inputTokens: estimateEmbeddingTokens(call.input), estimated: true }
      : { inputTokens: counted };
  return { embeddings: vectors, usage, model: response.model ?? call.model };
}
