import { InvalidResponseError } from '../../errors/invalid-response-error';
import { estimateEmbeddingTokens } from '../../governance/token-estimate';
import { requestJson } from '../../http/post-json';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import { collectProviderOptions } from '../shared/merge-provider-options';
import type { CohereEmbedResponse } from './cohere-api-types';

/** Cohere accepts at most 96 texts per `/v2/embed` call; longer inputs are sent in batches, in order. */
const maximumTextsPerCall = 96;

/** What an embed request needs besides the call itself. */
export interface CohereEmbedRequest {
  url: string;
  fetch: typeof globalThis.fetch;
  headers: Record<string, string>;
  signal?: AbortSignal;
  provider: string;
  inputType: string;
}

/** `/v2/embed` with `embedding_types: ['float']`; usage is the billed input tokens. */
export async function embedWithCohere(call: ProviderEmbedCall, request: CohereEmbedRequest): Promise<ProviderEmbedResult> {
  const embeddings: number[][] = [];
  let inputTokens = 0;
  let estimated = false;
  for (let offset = 0; offset < call.input.length; offset += maximumTextsPerCall) {
    const texts = call.input.slice(offset, offset + maximumTextsPerCall);
    const body: Record<string, unknown> = {
      model: call.model,
      texts,
      input_type: request.inputType,
      embedding_types: ['float'],
    };
    if (call.dimensions !== undefined) body.output_dimension = call.dimensions;
    Object.assign(body, collectProviderOptions(call.providerOptions, { wireFormat: 'cohere', provider: request.provider }));
    const response = await requestJson<CohereEmbedResponse>({
      url: request.url,
      fetch: request.fetch,
      headers: request.headers,
      body,
      signal: request.signal,
      provider: request.provider,
      model: call.model,
    });
    const vectors = response?.embeddings?.float;
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new InvalidResponseError(
        `${request.provider}: embed returned ${Array.isArray(vectors) ? vectors.length : 'no'} float vectors for ${texts.length} texts`,
        { provider: request.provider, model: call.model },
      );
    }
    embeddings.push(...vectors);
    const billed = response.meta?.billed_units?.input_tokens;
    if (billed === undefined) {
      estimated = true;
      inputTokens += estimateEmbeddingTokens(texts);
    } else {
      inputTokens += billed;
    }
  }
  return { embeddings, usage: estimated ? { inputTokens, estimated } : { inputTokens }, model: call.model };
}
