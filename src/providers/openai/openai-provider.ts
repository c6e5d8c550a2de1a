import type { LanguageModelProvider } from '../../spec/provider';
import { checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';
import { openAIKnownModels } from './openai-models';
import { openAIQuirks } from './openai-quirks';
import { createOpenAIWireProvider, type OpenAIChatApi } from './openai-wire-provider';

/** Options of `createOpenAI`. */
export interface OpenAIProviderOptions {
  /** The managed API key. Omit it to serve only users' own (BYOK) keys. Never read from the environment here. */
  apiKey?: string;
  /** Base URL (default `https://api.openai.com/v1`); point it at a proxy or Azure's `/openai/v1` endpoint. */
  baseUrl?: string;
  /** Sent as `OpenAI-Organization`. */
  organization?: string;
  /** Sent as `OpenAI-Project`. */
  project?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Instance id used in model refs (default `openai`). */
  id?: string;
  /** Model for requests that name only the provider (default `gpt-4o-mini`). */
  defaultModel?: string;
  /** Embedding model for embed requests that name only the provider (default `text-embedding-3-small`). */
  defaultEmbeddingModel?: string;
  /** `chat-completions` (default, `/chat/completions`) or `responses` (`/responses`, OpenAI's newer API). */
  api?: OpenAIChatApi;
}

/** The OpenAI adapter: Chat Completions (or the Responses API), Embeddings and Models. */
export function createOpenAI(options: OpenAIProviderOptions = {}): LanguageModelProvider {
  const id = checkProviderId('createOpenAI', options.id ?? 'openai');
  const headers: Record<string, string> = { ...options.headers };
  if (options.organization) headers['openai-organization'] = options.organization;
  if (options.project) headers['openai-project'] = options.project;
  return createOpenAIWireProvider({
    id,
    wireFormat: 'openai',
    baseUrl: normalizeBaseUrl('createOpenAI', options.baseUrl ?? 'https://api.openai.com/v1', id),
    apiKey: options.apiKey,
    authStyle: 'bearer',
    local: false,
    headers,
    quirks: openAIQuirks,
    defaultModel: options.defaultModel ?? 'gpt-4o-mini',
    defaultEmbeddingModel: options.defaultEmbeddingModel ?? 'text-embedding-3-small',
    knownModels: openAIKnownModels(id),
    embeddings: true,
    api: options.api ?? 'chat-completions',
  });
}
