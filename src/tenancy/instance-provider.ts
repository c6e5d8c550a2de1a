import { InvalidRequestError } from '../errors/invalid-request-error';
import { markTakesAbortSignalLike, takesAbortSignalLikeOf } from '../http/takes-abort-signal-like';
import { InvalidResponseError } from '../errors/invalid-response-error';
import type { ProviderEmbedCall } from '../spec/embedding';
import type { LanguageModelProvider, ProviderCallContext } from '../spec/provider';
import { defineInspection } from '../vault/inspect-symbols';
import type { SecretString } from '../vault/secret-string';

/** How an instance's adapter is bound for calls. */
export interface InstanceBinding {
  /** The instance's decrypted key; passed as `context.apiKey` on every call, overriding the caller's. */
  apiKey?: SecretString;
  /** Declared vector size: embed calls asking for another size are refused, answers of another size rejected. */
  embeddingDimensions?: number;
  /** Ask the provider for exactly `embeddingDimensions` (for models that can shorten vectors). */
  requestDimensions?: boolean;
}

/**
 * Wraps an instance's adapter so every call carries the instance's key and embedding calls are checked
 * against the declared dimensions. The key stays in this closure: the returned object prints and
 * serialises as its id only, and no property or method hands it out.
 */
export function bindInstanceProvider(adapter: LanguageModelProvider, binding: InstanceBinding): LanguageModelProvider {
  const { apiKey, embeddingDimensions } = binding;
  const withKey = (context: ProviderCallContext): ProviderCallContext => {
    if (apiKey === undefined) return context;
    return { ...context, apiKey: apiKey.reveal() };
  };

  const embed = adapter.embed
    ? async (call: ProviderEmbedCall, context: ProviderCallContext) => {
        if (embeddingDimensions === undefined) return adapter.embed!(call, withKey(context));
        if (call.dimensions !== undefined && call.dimensions !== embeddingDimensions) {
          throw new InvalidRequestError(
            `provider instance '${adapter.id}' declares ${embeddingDimensions} embedding dimensions; the call asked for ${call.dimensions}`,
            { provider: adapter.id, model: call.model },
          );
        }
        const sized = binding.requestDimensions && call.dimensions === undefined ? { ...call, dimensions: embeddingDimensions } : call;
        const result = await adapter.embed!(sized, withKey(context));
        const wrong = result.embeddings.findIndex((vector) => vector.length !== embeddingDimensions);
        if (wrong !== -1) {
          throw new InvalidResponseError(
            `provider instance '${adapter.id}' declares ${embeddingDimensions} embedding dimensions but vector ${wrong} has ${result.embeddings[wrong]!.length}`,
            { provider: adapter.id, model: result.model ?? call.model },
          );
        }
        return result;
      }
    : undefined;

  const provider: LanguageModelProvider = {
    id: adapter.id,
    wireFormat: adapter.wireFormat,
    local: adapter.local,
    ...(adapter.defaultModel !== undefined ? { defaultModel: adapter.defaultModel } : {}),
    ...(adapter.defaultEmbeddingModel !== undefined ? { defaultEmbeddingModel: adapter.defaultEmbeddingModel } : {}),
    hasApiKey: apiKey !== undefined,
    baseUrl: adapter.baseUrl,
    ...(adapter.knownModels !== undefined ? { knownModels: adapter.knownModels } : {}),
    chat: (call, context) => adapter.chat(call, withKey(context)),
    stream: (call, context) => adapter.stream(call, withKey(context)),
    ...(embed ? { embed } : {}),
    ...(adapter.listModels ? { listModels: (context: ProviderCallContext) => adapter.listModels!(withKey(context)) } : {}),
  };
  Object.defineProperty(provider, 'toJSON', {
    value: () => ({ id: provider.id, wireFormat: provider.wireFormat, baseUrl: provider.baseUrl, hasApiKey: provider.hasApiKey }),
    enumerable: false,
  });
  defineInspection(provider, () => `ProviderInstance(${provider.id})`);
  // It hands the context on with only the key changed, so it takes what the adapter takes.
  if (takesAbortSignalLikeOf(adapter)) markTakesAbortSignalLike(provider);
  return Object.freeze(provider);
}
