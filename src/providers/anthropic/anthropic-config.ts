import { AuthenticationError } from '../../errors/authentication-error';
import type { ProviderCallContext } from '../../spec/provider';

/** Settings resolved once by `createAnthropic`; kept in the factory's closure, never on the provider object. */
export interface AnthropicConfig {
  /** Provider instance id. */
  providerId: string;
  /** Base URL without a trailing slash, e.g. `https://api.anthropic.com/v1`. */
  baseUrl: string;
  /** The managed key, if any. */
  apiKey?: string;
  /** Extra headers for every request. */
  headers: Record<string, string>;
  /** `anthropic-version` header value. */
  anthropicVersion: string;
  /** `max_tokens` when a call sets none. */
  defaultMaxTokens: number;
}

/** Request headers: the call's own key wins over the managed one; a call with neither fails before sending. */
export function anthropicHeaders(config: AnthropicConfig, context: ProviderCallContext): Record<string, string> {
  const apiKey = context.apiKey ?? config.apiKey;
  if (!apiKey) {
    throw new AuthenticationError(`${config.providerId}: no API key: pass apiKey to createAnthropic() or a per-user key`, {
      provider: config.providerId,
    });
  }
  return {
    ...config.headers,
    'x-api-key': apiKey,
    'anthropic-version': config.anthropicVersion,
    ...context.headers,
  };
}

/** The fetch to use: the manager's transport, else the global one read at call time. */
export function anthropicFetch(context: ProviderCallContext): typeof globalThis.fetch {
  return context.fetch ?? globalThis.fetch;
}
