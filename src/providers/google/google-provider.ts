import type { LanguageModelProvider } from '../../spec/provider';
import { checkApiKey, checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';
import { googleChat } from './google-chat';
import type { GoogleConfig } from './google-config';
import { googleEmbed } from './google-embed';
import { googleKnownModels } from './google-known-models';
import { listGoogleModels } from './google-models';
import { googleStream } from './google-stream';
import { createGoogleThoughtSignatures } from './google-thought-signatures';
import { markTakesAbortSignalLike } from '../../http/takes-abort-signal-like';

/** Options of `createGoogle`. */
export interface GoogleProviderOptions {
  /** Gemini API key, sent as `x-goog-api-key`. Optional: without it only per-user (BYOK) keys can use it. */
  apiKey?: string;
  /** Base URL including the version path. Default `https://generativelanguage.googleapis.com/v1beta`. */
  baseUrl?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Instance id used in model refs. Default `google`. */
  id?: string;
  /** Model used when a request names only the provider. Default `gemini-2.5-flash`. */
  defaultModel?: string;
  /** Embedding model used when an embed request names only the provider. Default `gemini-embedding-001`. */
  defaultEmbeddingModel?: string;
}

/** Creates an adapter for the Gemini API: generateContent, SSE streaming, embeddings and the model list. */
export function createGoogle(options: GoogleProviderOptions = {}): LanguageModelProvider {
  const providerId = checkProviderId('createGoogle', options.id ?? 'google');
  const baseUrl = normalizeBaseUrl('createGoogle', options.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta', providerId);
  checkApiKey('createGoogle', options.apiKey, providerId);

  // The key lives only in this closure, so it cannot show up in JSON.stringify or inspect output.
  const config: GoogleConfig = {
    providerId,
    baseUrl,
    apiKey: options.apiKey,
    headers: { ...options.headers },
    signatures: createGoogleThoughtSignatures(),
  };
  const knownModels = googleKnownModels(providerId);

  return markTakesAbortSignalLike({
    id: providerId,
    wireFormat: 'google',
    local: false,
    defaultModel: options.defaultModel ?? 'gemini-2.5-flash',
    defaultEmbeddingModel: options.defaultEmbeddingModel ?? 'gemini-embedding-001',
    hasApiKey: options.apiKey !== undefined,
    baseUrl,
    knownModels,
    chat: (call, context) => googleChat(config, call, context),
    stream: (call, context) => googleStream(config, call, context),
    embed: (call, context) => googleEmbed(config, call, context),
    listModels: (context) => listGoogleModels(config, knownModels, context),
  });
}
