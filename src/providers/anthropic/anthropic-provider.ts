import { ConfigurationError } from '../../errors/configuration-error';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderCallContext, LanguageModelProvider } from '../../spec/provider';
import { checkApiKey, checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';
import { anthropicChat, type AnthropicChatResult } from './anthropic-chat';
import type { AnthropicConfig } from './anthropic-config';
import { anthropicKnownModels } from './anthropic-known-models';
import { listAnthropicModels } from './anthropic-models';
import { anthropicDefaultMaxTokens } from './anthropic-request-body';
import { anthropicStream } from './anthropic-stream';
import { markTakesAbortSignalLike } from '../../http/takes-abort-signal-like';

/** Options of `createAnthropic`. */
export interface AnthropicProviderOptions {
  /** API key (`x-api-key`). Optional: without it only per-user (BYOK) keys can use this provider. */
  apiKey?: string;
  /** Base URL including the version path. Default `https://api.anthropic.com/v1`. */
  baseUrl?: string;
  /** Extra headers on every request (`anthropic-beta`, a proxy's auth…). */
  headers?: Record<string, string>;
  /** Instance id used in model refs. Default `anthropic`. */
  id?: string;
  /** Model used when a request names only the provider. Default `claude-haiku-4-5`. */
  defaultModel?: string;
  /** `anthropic-version` header. Default `2023-06-01`. */
  anthropicVersion?: string;
  /** `max_tokens` when a call sets no `maxTokens` (the API requires one). Default 4096. */
  defaultMaxTokens?: number;
}

/** The Anthropic adapter; `chat` also returns thinking blocks with their signatures. */
export interface AnthropicProvider extends LanguageModelProvider {
  chat(call: ProviderChatCall, context: ProviderCallContext): Promise<AnthropicChatResult>;
}

/** Creates an adapter for the Anthropic Messages API (`POST /v1/messages`, SSE streaming, `/v1/models`). */
export function createAnthropic(options: AnthropicProviderOptions = {}): AnthropicProvider {
  const providerId = checkProviderId('createAnthropic', options.id ?? 'anthropic');
  const baseUrl = normalizeBaseUrl('createAnthropic', options.baseUrl ?? 'https://api.anthropic.com/v1', providerId);
  const defaultMaxTokens = options.defaultMaxTokens ?? anthropicDefaultMaxTokens;
  if (!Number.isInteger(defaultMaxTokens) || defaultMaxTokens <= 0) {
    throw new ConfigurationError(`createAnthropic: defaultMaxTokens must be a positive integer (got ${defaultMaxTokens})`, { provider: providerId });
  }
  checkApiKey('createAnthropic', options.apiKey, providerId);

  // The key lives only in this closure, so it cannot show up in JSON.stringify or inspect output.
  const config: AnthropicConfig = {
    providerId,
    baseUrl,
    apiKey: options.apiKey,
    headers: { ...options.headers },
    anthropicVersion: options.anthropicVersion ?? '2023-06-01',
    defaultMaxTokens,
  };
  const knownModels = anthropicKnownModels(providerId);

  return markTakesAbortSignalLike({
    id: providerId,
    wireFormat: 'anthropic',
    local: false,
    defaultModel: options.defaultModel ?? 'claude-haiku-4-5',
    hasApiKey: options.apiKey !== undefined,
    baseUrl,
    knownModels,
    chat: (call, context) => anthropicChat(config, call, context),
    stream: (call, context) => anthropicStream(config, call, context),
    listModels: (context) => listAnthropicModels(config, knownModels, context),
  });
}
