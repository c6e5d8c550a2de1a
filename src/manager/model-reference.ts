import { ConfigurationError } from '../errors/configuration-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { LanguageModelProvider } from '../spec/provider';

/** A resolved `provider:model` reference. */
export interface ResolvedModel {
  /** The provider adapter. */
  provider: LanguageModelProvider;
  /** The provider's own model id. */
  model: string;
}

/**
 * Splits `provider:model` at the first colon, so model ids with colons (`ollama:llama3.2:1b`) survive.
 * A provider id alone, or `provider:default`, means the provider's default model.
 */
export function resolveModelReference(
  reference: string,
  providers: ReadonlyMap<string, LanguageModelProvider>,
  kind: 'chat' | 'embedding' = 'chat',
): ResolvedModel {
  const colon = reference.indexOf(':');
  const providerId = colon === -1 ? reference : reference.slice(0, colon);
  const provider = providers.get(providerId);
  if (!provider) {
    const known = [...providers.keys()].join(', ') || 'none';
    throw new InvalidRequestError(`Unknown provider "${providerId}" in model "${reference}" (configured: ${known})`);
  }
  let model = colon === -1 ? '' : reference.slice(colon + 1);
  if (model === '' || model === 'default') {
    model = (kind === 'embedding' ? provider.defaultEmbeddingModel : provider.defaultModel) ?? '';
    if (model === '') throw new InvalidRequestError(`Provider "${providerId}" has no default ${kind} model; name one as "${providerId}:<model>"`);
  }
  return { provider, model };
}

/** Builds the id → provider map, rejecting duplicate ids. */
export function indexProviders(providers: readonly LanguageModelProvider[]): Map<string, LanguageModelProvider> {
  const map = new Map<string, LanguageModelProvider>();
  for (const provider of providers) {
    if (map.has(provider.id)) throw new ConfigurationError(`Two providers share the id "${provider.id}"; give one an explicit id`);
    map.set(provider.id, provider);
  }
  return map;
}
