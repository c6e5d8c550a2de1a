import { InvalidRequestError } from '../../errors/invalid-request-error';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { estimateEmbeddingTokens } from '../../governance/token-estimate';
import { requestJson } from '../../http/post-json';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import type { ProviderCallContext } from '../../spec/provider';
import { collectProviderOptions } from '../shared/merge-provider-options';
import { googleFetch, googleHeaders, googleModelPath, type GoogleConfig } from './google-config';

// batchEmbedContents takes at most 100 requests.
const batchSize = 100;

/**
 * Embeddings: one input goes to `:embedContent`, several to `:batchEmbedContents` in batches of 100.
 * `providerOptions.google` (`taskType`, `title`) is merged into every request. Gemini reports no token
 * counts for embeddings, so usage is estimated (about four characters a token) and flagged.
 */
export async function googleEmbed(config: GoogleConfig, call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> {
  const provider = config.providerId;
  if (call.input.length === 0) throw new InvalidRequestError(`${provider}: embed input is empty`, { provider, model: call.model });
  const modelPath = googleModelPath(call.model);
  const extra = collectProviderOptions(call.providerOptions, { wireFormat: 'google', provider });
  const entry = (text: string): Record<string, unknown> => ({
    model: modelPath,
    content: { parts: [{ text }] },
    ...(call.dimensions !== undefined ? { outputDimensionality: call.dimensions } : {}),
    ...extra,
  });
  const request = { fetch: googleFetch(context), headers: googleHeaders(config, context), signal: context.signal, provider, model: call.model };

  const embeddings: number[][] = [];
  if (call.input.length === 1) {
    const answer = await requestJson<{ embedding?: { values?: number[] } }>({ ...request, url: `${config.baseUrl}/${modelPath}:embedContent`, body: entry(call.input[0]!) });
    if (!Array.isArray(answer.embedding?.values)) throw new InvalidResponseError(`${provider}: embedContent answer has no embedding.values`, { provider, model: call.model });
    embeddings.push(answer.embedding.values);
  } else {
    for (let start = 0; start < call.input.length; start += batchSize) {
      const batch = call.input.slice(start, start + batchSize);
      const answer = await requestJson<{ embeddings?: Array<{ values?: number[] }> }>({
        ...request,
        url: `${config.baseUrl}/${modelPath}:batchEmbedContents`,
        body: { requests: batch.map(entry) },
      });
      const vectors = answer.embeddings ?? [];
      if (vectors.length !== batch.length || vectors.some((vector) => !Array.isArray(vector.values))) {
        throw new InvalidResponseError(`${provider}: batchEmbedContents returned ${vectors.length} embeddings for ${batch.length} inputs`, { provider, model: call.model });
      }
      for (const vector of vectors) embeddings.push(vector.values!);
    }
  }
  const inputTokens = estimateEmbeddingTokens(call.input);
  return { embeddings, usage: { inputTokens, estimated: true }, model: call.model };
}
