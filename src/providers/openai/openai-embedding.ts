import { InvalidResponseError } from '../../errors/invalid-response-error';
import { estimateEmbeddingTokens } from '../../governance/token-estimate';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import type { ProviderCallContext } from '../../spec/provider';
import { collectProviderOptions } from '../shared/merge-provider-options';
import type { OpenAIEndpoint } from './openai-endpoint';
import { postOpenAIJson } from './openai-request';

interface EmbeddingResponse {
  data?: Array<{ index?: number; embedding?: unknown }>;
  model?: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** `POST /embeddings`; vectors come back in input order whatever order the server lists them in. */
export async function openAIEmbed(endpoint: OpenAIEndpoint, call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> {
  const provider = endpoint.provider;
  const body: Record<string, unknown> = { model: call.model, input: call.input, encoding_format: 'float' };
  if (call.dimensions !== undefined) body.dimensions = call.dimensions;
  Object.assign(body, collectProviderOptions(call.providerOptions, endpoint));
  const response = await postOpenAIJson<EmbeddingResponse>(endpoint, '/embeddings', body, context, call.model);
  const data = Array.isArray(response?.data) ? response.data : undefined;
  if (!data || data.length !== call.input.length) {
    throw new InvalidResponseError(`${provider}: expected ${call.input.length} embeddings, got ${data?.length ?? 'none'}`, { provider, model: call.model });
  }
  const ordered = [...data].sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
  const embeddings = ordered.map((item) => {
    if (!Array.isArray(item.embedding) || item.embedding.some((value) => typeof value !== 'number')) {
      throw new InvalidResponseError(`${provider}: embedding is not a list of numbers (base64 encoding is not supported)`, { provider, model: call.model });
    }
    return item.embedding as number[];
  });
  const reported = response.usage?.prompt_tokens ?? response.usage?.total_tokens;
  const usage: ProviderEmbedResult['usage'] =
    typeof reported === 'number'
      ? { inputTokens: reported }
      : { inputTokens: estimateEmbeddingTokens(call.input), estimated: true };
  const result: ProviderEmbedResult = { embeddings, usage };
  if (response.model) result.model = response.model;
  return result;
}
